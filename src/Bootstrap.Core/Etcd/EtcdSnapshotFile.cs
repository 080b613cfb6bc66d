using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bootstrap.Core.Etcd;

/// <summary>
/// A snapshot on the workstation: the file etcd wrote (its bbolt database followed by the sha256 of everything before
/// it, which <c>etcdctl snapshot restore</c> checks), with two files beside it: <c>FILE.sha256</c> (the sha256 of the
/// whole file, as <c>sha256sum -c</c> reads it) and <c>FILE.json</c> (what <c>etcdctl snapshot status</c> said and
/// where and when it was taken). All three are 0600: a snapshot holds every Secret of the cluster.
/// </summary>
internal static class EtcdSnapshotFile
{
    public const string ChecksumSuffix = ".sha256";
    public const string MetadataSuffix = ".json";

    /// <summary>A bbolt page boundary plus etcd's sha256: what <c>etcdctl snapshot save</c> writes.</summary>
    private const int TrailerModulus = 512;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>
    /// The sha256 of a file, read as a stream up to the size the file system gives it: a device or a kernel file (a link to
    /// /dev/zero among the snapshots) says 0 bytes and never ends, and was hashed for ever.
    /// </summary>
    public static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            for (var left = file.Length; left > 0;)
            {
                var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                sha.AppendData(buffer, 0, read);
                left -= read;
            }

            return Convert.ToHexStringLower(sha.GetHashAndReset());
        }
    }

    /// <summary>
    /// Why the file is not a whole snapshot as etcd wrote it (its size is not a database plus a sha256, or that sha256
    /// does not match what precedes it: a flipped byte, a cut file), or null.
    /// </summary>
    public static async Task<string?> TrailerProblemAsync(string path, CancellationToken cancellationToken)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            var length = file.Length;
            if (length < TrailerModulus || length % TrailerModulus != SHA256.HashSizeInBytes)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{length} bytes is not the size of an etcd snapshot (a database of 512-byte pages and a 32-byte sha256): a cut or foreign file");
            }

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            var left = length - SHA256.HashSizeInBytes;
            while (left > 0)
            {
                var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return "the file ended while it was read";
                }

                hash.AppendData(buffer, 0, read);
                left -= read;
            }

            var trailer = new byte[SHA256.HashSizeInBytes];
            await file.ReadExactlyAsync(trailer, cancellationToken).ConfigureAwait(false);
            return hash.GetHashAndReset().AsSpan().SequenceEqual(trailer)
                ? null
                : "the sha256 etcd wrote at its end does not match its content: the file was changed or damaged after it was saved";
        }
    }

    /// <summary>The line <c>sha256sum</c> writes: <c>HEX  NAME</c>.</summary>
    public static string ChecksumLine(string sha256, string path) => $"{sha256}  {Path.GetFileName(path)}\n";

    /// <summary>The sha256 a <c>.sha256</c> file holds (its first word), or null when it holds none.</summary>
    public static string? ParseChecksum(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var word = text.Split([' ', '\t', '\n'], 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim().ToLowerInvariant();
        return word is { Length: 64 } && word.All(char.IsAsciiHexDigitLower) ? word : null;
    }

    public static string Metadata(EtcdSnapshotMetadata metadata) => JsonSerializer.Serialize(metadata, Json) + "\n";

    /// <summary>The metadata beside a snapshot; null when there is none or it does not parse.</summary>
    public static EtcdSnapshotMetadata? ParseMetadata(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<EtcdSnapshotMetadata>(text, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> 0600 (through a temp file beside it, then renamed).</summary>
    public static async Task WritePrivateAsync(string path, string content, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("snapshots are written with Unix file modes (0600)");
        }

        var temp = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + ".part");
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
        var file = new FileStream(temp, options);
        await using (file.ConfigureAwait(false))
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await file.WriteAsync(System.Text.Encoding.UTF8.GetBytes(content), cancellationToken).ConfigureAwait(false);
        }

        File.Move(temp, path, overwrite: true);
    }
}

/// <summary>What Bootstrap records beside a snapshot it saved (<c>FILE.json</c>).</summary>
internal sealed record EtcdSnapshotMetadata
{
    public required string Cluster { get; init; }

    /// <summary>The member it was taken from.</summary>
    public required string Member { get; init; }

    public required DateTimeOffset SavedAt { get; init; }

    public required long Size { get; init; }

    public required string Sha256 { get; init; }

    /// <summary>etcdctl snapshot status: the hash of its keys and values.</summary>
    public required uint Hash { get; init; }

    public required long Revision { get; init; }

    [JsonPropertyName("totalKeys")]
    public required long TotalKeys { get; init; }
}
