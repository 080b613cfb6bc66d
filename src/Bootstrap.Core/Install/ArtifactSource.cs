using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Images;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Install;

/// <summary>
/// The binaries and image archives of <c>spec.artifacts</c>, each known by its expected sha256 before any byte moves:
/// from the cluster file's <c>sha256</c> map, else from a <c>SHA256SUMS</c> file beside them in directory
/// mode. Content is checked against that digest on the workstation before it is sent, and the upload
/// checks it again on the host. In URL mode each file is downloaded at most once into the cluster state
/// (what an image archive holds is read while planning from a pass over the download that keeps nothing, so a
/// plan writes no state).
/// </summary>
internal sealed class ArtifactSource
{
    public const string ChecksumFile = "SHA256SUMS";

    private readonly ArtifactsSpec _spec;
    private readonly string _cacheDirectory;
    private readonly HttpClient _http;
    private readonly IReadOnlyDictionary<string, string> _expected;
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _verified = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<ImageArchive>>> _images = new(StringComparer.Ordinal);
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
                string text;
                try
                {
                    text = await BoundedFile.ReadAllTextAsync(sums, BoundedFile.MaxSmallFileBytes, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new ArtifactException($"cannot read the checksum file {sums}: {e.Message}", e);
                }

                using var lines = new StringReader(text);
                while (lines.ReadLine() is { } line)
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

        var sha256 = Expected(name);
        return new DesiredFile
        {
            Spec = new FileSpec($"{KubeadmLayout.BinDir}/{name}", Mode: 0b111_101_101),
            Sha256 = sha256,
            StagePath = BinaryStore.PathFor(name, sha256),
            Open = async ct => File.OpenRead(await LocalCopyAsync(name, sha256, ct).ConfigureAwait(false)),
        };
    }

    /// <summary>The image archive <paramref name="name"/> of <c>spec.artifacts.images</c>, its contents read once (and checked against its sha256).</summary>
    /// <exception cref="ArtifactException">No digest is known for it, it is missing or differs, or it is no image archive.</exception>
    public Task<ImageArchive> ImageAsync(string name, CancellationToken cancellationToken) =>
        _images.GetOrAdd(name, _ => new Lazy<Task<ImageArchive>>(() => ReadImageAsync(name, Expected(name), cancellationToken))).Value;

    private string Expected(string name)
    {
        if (_expected.TryGetValue(name, out var sha256))
        {
            return sha256;
        }

        var where = _spec.Directory is { } d ? $"spec.artifacts.sha256 or {Path.Combine(d, ChecksumFile)}" : "spec.artifacts.sha256";
        throw new ArtifactException($"no sha256 is known for the artifact {name}; add it to {where}");
    }

    private async Task<ImageArchive> ReadImageAsync(string name, string sha256, CancellationToken cancellationToken)
    {
        var cached = Path.Combine(_cacheDirectory, $"{name}-{sha256}");
        var local = _spec.Directory is { } directory ? Path.Combine(directory, name) : File.Exists(cached) ? cached : null;
        if (local is not null && !File.Exists(local))
        {
            throw new ArtifactException($"the artifact {local} does not exist");
        }

        if (local is not null)
        {
            RefuseEmptyOrSpecial(local, sha256);
        }

        var where = local ?? new Uri(_spec.BaseUrl!, name).ToString();
        ImageArchiveContents contents;
        string actual;
        using (var response = local is null ? await GetAsync(new Uri(_spec.BaseUrl!, name), cancellationToken).ConfigureAwait(false) : null)
        {
            var source = local is not null ? File.OpenRead(local) : await response!.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var hashing = new HashingReadStream(source);
            await using (hashing.ConfigureAwait(false))
            {
                var gzipped = name.EndsWith(".gz", StringComparison.Ordinal) || name.EndsWith(".tgz", StringComparison.Ordinal);
                var tar = gzipped ? new GZipStream(hashing, CompressionMode.Decompress, leaveOpen: true) : (Stream)hashing;
                ArtifactException? unreadable = null;
                try
                {
                    contents = await ImageArchiveReader.ReadAsync(tar, name, cancellationToken).ConfigureAwait(false);
                }
                catch (ArtifactException e)
                {
                    contents = new ImageArchiveContents(ImageArchiveFormat.Oci, []);
                    unreadable = e;
                }
                catch (InvalidDataException e)
                {
                    contents = new ImageArchiveContents(ImageArchiveFormat.Oci, []);
                    unreadable = new ArtifactException($"the image archive {where} is not gzip data: {e.Message}", e);
                }
                finally
                {
                    if (gzipped)
                    {
                        await tar.DisposeAsync().ConfigureAwait(false);
                    }
                }

                actual = await hashing.FinishAsync(cancellationToken).ConfigureAwait(false);

                // A file that is not the one the digest names: that is the error to report, whatever it holds.
                if (unreadable is not null && actual == sha256)
                {
                    throw unreadable;
                }
            }
        }

        if (actual != sha256)
        {
            throw new ArtifactException($"the artifact {where} has sha256 {actual}, expected {sha256}; refusing to install it");
        }

        return new ImageArchive
        {
            File = name,
            Sha256 = sha256,
            Contents = contents,
            Open = async ct => File.OpenRead(await LocalCopyAsync(name, sha256, ct).ConfigureAwait(false)),
        };
    }

    private async Task<HttpResponseMessage> GetAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                response.Dispose();
                throw new ArtifactException($"downloading {url} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            return response;
        }
        catch (HttpRequestException e)
        {
            throw new ArtifactException($"downloading {url} failed: {e.Message}", e);
        }
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

        RefuseEmptyOrSpecial(path, sha256);
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

    /// <summary>
    /// An artifact of size 0 is never hashed: empty, it is not the file whose sha256 is expected, and a device or FIFO in its
    /// place (an artifact linked to /dev/zero) would be read without end.
    /// </summary>
    private static void RefuseEmptyOrSpecial(string path, string sha256)
    {
        if (BoundedFile.IsEmptyOrSpecial(path))
        {
            throw new ArtifactException($"the artifact {path} is empty, or not a regular file (a device, a FIFO); expected the file whose sha256 is {sha256}");
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
