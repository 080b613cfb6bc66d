using System.Globalization;
using System.Text;
using System.Text.Json;
using Bootstrap.Core.Etcd;

namespace Bootstrap.Cli.Commands;

/// <summary>What <c>bootstrap etcd status</c> and <c>snapshot list</c> print: aligned tables, or JSON (ids in hex, as etcdctl shows them).</summary>
internal static class EtcdOutput
{
    public static string StatusText(EtcdStatusReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        var leader = report.Members.FirstOrDefault(m => m.IsLeader);
        text.Append(CultureInfo.InvariantCulture, $"etcd of {report.Cluster}: ");
        text.Append(report.ReadThrough is null
            ? "no member answered\n"
            : $"{report.Members.Count} members, leader {(leader is null ? "unknown" : Label(leader))}, cluster id {report.ClusterId ?? "unknown"} (read through {report.ReadThrough})\n");
        if (report.Members.Count > 0)
        {
            var rows = new List<string[]> { new[] { "MEMBER", "ID", "HOST", "HEALTH", "ROLE", "VERSION", "DB SIZE", "RAFT TERM", "RAFT INDEX", "APPLIED", "PEER URL" } };
            rows.AddRange(report.Members.Select(m => new[]
            {
                Label(m),
                m.Id,
                m.Host ?? "(not in the file)",
                m.Healthy ? "healthy" : m.IsLearner && m.Status is not null ? "learning" : "unhealthy",
                m.IsLearner ? "learner" : m.IsLeader ? "leader" : "voter",
                m.Status?.Version ?? "-",
                m.Status is { } s ? Size(s.DbSize) : "-",
                m.Status?.RaftTerm.ToString(CultureInfo.InvariantCulture) ?? "-",
                m.Status?.RaftIndex.ToString(CultureInfo.InvariantCulture) ?? "-",
                m.Status?.RaftAppliedIndex.ToString(CultureInfo.InvariantCulture) ?? "-",
                string.Join(",", m.PeerUrls),
            }));
            text.Append(TextTable.Format(rows, minimumWidth: 0, gap: 2));
        }

        if (report.Backups.Count > 0)
        {
            text.Append("backups:\n");
            foreach (var backup in report.Backups)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {backup.Host}: timer {backup.Timer}, last run {Time(backup.LastRun)}{(backup.LastResult is { } r ? $" ({r})" : string.Empty)}, ")
                    .Append(CultureInfo.InvariantCulture, $"next {Time(backup.NextRun)}, {backup.Snapshots} snapshot{(backup.Snapshots == 1 ? string.Empty : "s")}")
                    .Append(backup.Newest is { } newest ? $", newest {newest} ({Size(backup.NewestSize)})" : string.Empty)
                    .Append('\n');
            }
        }

        text.Append(report.Problems.Count == 0 ? "every member is healthy\n" : "problems:\n" + string.Concat(report.Problems.Select(p => $"  {p}\n")));
        return text.ToString();
    }

    public static string StatusJson(EtcdStatusReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var document = new
        {
            cluster = report.Cluster,
            healthy = report.Healthy,
            readThrough = report.ReadThrough,
            clusterId = report.ClusterId,
            members = report.Members.Select(m => new
            {
                id = m.Id,
                name = m.Name,
                host = m.Host,
                peerUrls = m.PeerUrls,
                clientUrls = m.ClientUrls,
                isLearner = m.IsLearner,
                isLeader = m.IsLeader,
                healthy = m.Healthy,
                healthError = m.HealthError,
                status = m.Status is { } s
                    ? new
                    {
                        version = s.Version,
                        dbSize = s.DbSize,
                        dbSizeInUse = s.DbSizeInUse,
                        raftTerm = s.RaftTerm,
                        raftIndex = s.RaftIndex,
                        raftAppliedIndex = s.RaftAppliedIndex,
                        revision = s.Revision,
                        leader = EtcdClient.Hex(s.Leader),
                    }
                    : null,
            }),
            backups = report.Backups,
            problems = report.Problems,
        };
        return JsonSerializer.Serialize(document, CliJson.Serializer) + "\n";
    }

    public static string SnapshotsText(IReadOnlyList<EtcdSnapshotEntry> snapshots, string directory)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        if (snapshots.Count == 0)
        {
            return $"no snapshot in {directory}\n";
        }

        var rows = new List<string[]> { new[] { "SAVED (UTC)", "SIZE", "REVISION", "KEYS", "FROM", "SHA256", "FILE" } };
        rows.AddRange(snapshots.Select(s => new[]
        {
            Time(s.SavedAt),
            Size(s.Size),
            s.Metadata?.Revision.ToString(CultureInfo.InvariantCulture) ?? "-",
            s.Metadata?.TotalKeys.ToString(CultureInfo.InvariantCulture) ?? "-",
            s.Metadata?.Member ?? "-",
            s.RecordedSha256 is null ? "none recorded" : s.Matches ? "ok" : "MISMATCH",
            s.Path,
        }));
        return TextTable.Format(rows, minimumWidth: 0, gap: 2);
    }

    public static string SnapshotsJson(IReadOnlyList<EtcdSnapshotEntry> snapshots)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        return JsonSerializer.Serialize(snapshots.Select(Snapshot), CliJson.Serializer) + "\n";
    }

    public static object Snapshot(EtcdSnapshotEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new
        {
            path = entry.Path,
            size = entry.Size,
            savedAt = entry.SavedAt,
            member = entry.Metadata?.Member,
            revision = entry.Metadata?.Revision,
            totalKeys = entry.Metadata?.TotalKeys,
            hash = entry.Metadata?.Hash,
            sha256 = entry.Sha256,
            sha256Matches = entry.Matches,
        };
    }

    public static string Size(long bytes) => bytes switch
    {
        < 1000 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1000 * 1000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1000.0:0.#} kB"),
        < 1000L * 1000 * 1000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:0.#} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:0.##} GB"),
    };

    private static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "never";

    private static string Label(EtcdMemberReport member) => member.Name.Length > 0 ? member.Name : "(unstarted)";
}
