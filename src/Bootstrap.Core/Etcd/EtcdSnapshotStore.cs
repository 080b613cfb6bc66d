using System.Globalization;
using Bootstrap.Core.Config;

namespace Bootstrap.Core.Etcd;

/// <summary>
/// The snapshots in the cluster state (<c>STATE/etcd-snapshots/</c>): where a new one goes, and what each holds, with
/// whether it still matches its sha256.
/// </summary>
internal sealed class EtcdSnapshotStore(string stateDirectory)
{
    public const string DirectoryName = "etcd-snapshots";

    public string Directory { get; } = Path.Combine(stateDirectory, DirectoryName);

    /// <summary>The default path of a snapshot taken at <paramref name="time"/>: <c>CLUSTER-20261201T120000Z.db</c>.</summary>
    public string NewPath(string cluster, DateTimeOffset time) =>
        Path.Combine(Directory, $"{cluster}-{time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}.db");

    /// <summary>Every <c>*.db</c> of the directory, newest first, each checked against its <c>.sha256</c>.</summary>
    public async Task<IReadOnlyList<EtcdSnapshotEntry>> ListAsync(CancellationToken cancellationToken)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        var entries = new List<EtcdSnapshotEntry>();
        foreach (var path in System.IO.Directory.GetFiles(Directory, "*.db"))
        {
            entries.Add(await ReadAsync(path, cancellationToken).ConfigureAwait(false));
        }

        return [.. entries.OrderByDescending(e => e.SavedAt).ThenBy(e => e.Path, StringComparer.Ordinal)];
    }

    /// <summary>One snapshot file with what lies beside it.</summary>
    public static async Task<EtcdSnapshotEntry> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var info = new FileInfo(path);
        var metadata = File.Exists(path + EtcdSnapshotFile.MetadataSuffix)
            ? EtcdSnapshotFile.ParseMetadata(await BoundedFile.ReadAllTextAsync(path + EtcdSnapshotFile.MetadataSuffix, BoundedFile.MaxSmallFileBytes, cancellationToken).ConfigureAwait(false))
            : null;
        var recorded = File.Exists(path + EtcdSnapshotFile.ChecksumSuffix)
            ? EtcdSnapshotFile.ParseChecksum(await BoundedFile.ReadAllTextAsync(path + EtcdSnapshotFile.ChecksumSuffix, BoundedFile.MaxSmallFileBytes, cancellationToken).ConfigureAwait(false))
            : null;
        var actual = await EtcdSnapshotFile.Sha256Async(path, cancellationToken).ConfigureAwait(false);
        return new EtcdSnapshotEntry(path, info.Length, metadata?.SavedAt ?? new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero), metadata, recorded, actual);
    }
}

/// <summary>A snapshot file: its size, when it was saved, what was recorded beside it, and its sha256 now.</summary>
internal sealed record EtcdSnapshotEntry(string Path, long Size, DateTimeOffset SavedAt, EtcdSnapshotMetadata? Metadata, string? RecordedSha256, string Sha256)
{
    /// <summary>The file still has the sha256 recorded when it was saved.</summary>
    public bool Matches => RecordedSha256 is not null && string.Equals(RecordedSha256, Sha256, StringComparison.OrdinalIgnoreCase);
}
