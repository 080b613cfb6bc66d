using System.Collections.Concurrent;
using System.Security.Cryptography;
using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Install;

/// <summary>
/// The binaries of <c>spec.artifacts</c>, each known by its expected sha256 before any byte moves:
/// from the cluster file's <c>sha256</c> map, else from a <c>SHA256SUMS</c> file beside them in directory
/// mode. Content is checked against that digest on the workstation before it is sent, and the upload
/// checks it again on the host. In URL mode each file is downloaded at most once into the cluster state.
/// </summary>
internal sealed class ArtifactSource
{
    public const string ChecksumFile = "SHA256SUMS";

    private readonly ArtifactsSpec _spec;
    private readonly string _cacheDirectory;
    private readonly HttpClient _http;
    private readonly IReadOnlyDictionary<string, string> _expected;
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _verified = new(StringComparer.Ordinal);
    private readonly ArtifactSource? _etcd;

    private ArtifactSource(ArtifactsSpec spec, string cacheDirectory, HttpClient http, IReadOnlyDictionary<string, string> expected, ArtifactSource? etcd)
    {
        _spec = spec;
        _etcd = etcd;
        _cacheDirectory = cacheDirectory;
        _http = http;
        _expected = expected;
    }

    /// <exception cref="ArtifactException">A digest is missing or the checksum file cannot be read.</exception>
    public static async Task<ArtifactSource> OpenAsync(ArtifactsSpec spec, string cacheDirectory, HttpClient http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        if (spec.Directory is { } directory)
        {
            var sums = Path.Combine(directory, ChecksumFile);
            if (File.Exists(sums))
            {
                var lineNumber = 0;
                foreach (var line in await File.ReadAllLinesAsync(sums, cancellationToken).ConfigureAwait(false))
                {
                    lineNumber++;
                    var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
                    if (parts.Length != 2 || parts[0].Length != 64 || !parts[0].All(Uri.IsHexDigit))
                    {
                        throw new ArtifactException($"{sums}:{lineNumber}: expected \"<sha256>  <file name>\" (the output of sha256sum)");
                    }

                    expected[parts[1].TrimStart('*')] = parts[0].ToLowerInvariant();
                }
            }
        }

        foreach (var (name, sha256) in spec.Sha256)
        {
            expected[name] = sha256.ToLowerInvariant();
        }

        // etcd's own source, when the cluster file gives one, caches its downloads apart (names are the same).
        var etcd = spec.Etcd is { } etcdSpec ? await OpenAsync(etcdSpec, Path.Combine(cacheDirectory, "etcd"), http, cancellationToken).ConfigureAwait(false) : null;
        return new ArtifactSource(spec, cacheDirectory, http, expected, etcd);
    }

    /// <summary>The binary <paramref name="name"/> as a 0755 root-owned file in <see cref="KubeadmLayout.BinDir"/>.</summary>
    /// <exception cref="ArtifactException">No digest is known for it.</exception>
    public DesiredFile Binary(string name)
    {
        if (_etcd is not null && ArtifactsSpec.EtcdFiles.Contains(name))
        {
            return _etcd.Binary(name);
        }

        if (!_expected.TryGetValue(name, out var sha256))
        {
            var where = _spec.Directory is { } d ? $"spec.artifacts.sha256 or {Path.Combine(d, ChecksumFile)}" : "spec.artifacts.sha256";
            throw new ArtifactException($"no sha256 is known for the artifact {name}; add it to {where}");
        }

        return new DesiredFile
        {
            Spec = new FileSpec($"{KubeadmLayout.BinDir}/{name}", Mode: 0b111_101_101),
            Sha256 = sha256,
            StagePath = BinaryStore.PathFor(name, sha256),
            Open = async ct => File.OpenRead(await LocalCopyAsync(name, sha256, ct).ConfigureAwait(false)),
        };
    }

    /// <summary>Where the checked local copy of an artifact is; the first call checks (and in URL mode downloads) it.</summary>
    private Task<string> LocalCopyAsync(string name, string sha256, CancellationToken cancellationToken) =>
        _verified.GetOrAdd(name, _ => new Lazy<Task<string>>(() => _spec.Directory is { } directory
            ? VerifyAsync(Path.Combine(directory, name), sha256, cancellationToken)
            : DownloadAsync(name, sha256, cancellationToken))).Value;

    private static async Task<string> VerifyAsync(string path, string sha256, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new ArtifactException($"the artifact {path} does not exist");
        }

        var actual = await HashAsync(path, cancellationToken).ConfigureAwait(false);
        return actual == sha256
            ? path
            : throw new ArtifactException($"the artifact {path} has sha256 {actual}, expected {sha256}; refusing to install it");
    }

    private async Task<string> DownloadAsync(string name, string sha256, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_cacheDirectory);
        var cached = Path.Combine(_cacheDirectory, $"{name}-{sha256}");
        if (File.Exists(cached) && await HashAsync(cached, cancellationToken).ConfigureAwait(false) == sha256)
        {
            return cached;
        }

        var url = new Uri(_spec.BaseUrl!, name);
        var temporary = cached + ".part";
        try
        {
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new ArtifactException($"downloading {url} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await using (file.ConfigureAwait(false))
            {
                await response.Content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            }

            var actual = await HashAsync(temporary, cancellationToken).ConfigureAwait(false);
            if (actual != sha256)
            {
                throw new ArtifactException($"{url} has sha256 {actual}, expected {sha256} (spec.artifacts.sha256.{name}); refusing to install it");
            }

            File.Move(temporary, cached, overwrite: true);
            return cached;
        }
        catch (HttpRequestException e)
        {
            throw new ArtifactException($"downloading {url} failed: {e.Message}", e);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        var stream = File.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        }
    }
}
