using System.Globalization;
using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Etcd;

/// <summary>
/// Reads <c>bootstrap etcd status</c> from the etcd hosts that could be reached (read-only): the members through the
/// first healthy one, each member's health and endpoint status, and with <c>spec.etcd.backup</c> each host's timer and
/// snapshots. A member that does not answer, a member without a host in the file, a host that is not a member: each is
/// a problem the report names.
/// </summary>
internal static class EtcdStatusReader
{
    /// <param name="reached">The etcd hosts of the file that answered SSH.</param>
    /// <param name="unreachable">The ones that did not, with why.</param>
    public static async Task<EtcdStatusReport> ReadAsync(
        ClusterConfig config, IReadOnlyDictionary<string, IRemoteHost> reached, IReadOnlyDictionary<string, string> unreachable, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(reached);
        ArgumentNullException.ThrowIfNull(unreachable);
        var problems = unreachable.Select(u => $"{u.Key}: not reachable over SSH ({u.Value})").ToList();
        var hosts = config.EtcdMembers.Where(h => reached.ContainsKey(h.Name)).Select(h => (h, (ICommandRunner)reached[h.Name])).ToList();
        var observation = await EtcdObserver.ReadAsync(hosts, redactor, cancellationToken).ConfigureAwait(false);
        var backups = config.Etcd.Backup is { } backup
            ? await Task.WhenAll(config.EtcdMembers.Where(h => reached.ContainsKey(h.Name)).Select(h => BackupAsync(config, h, backup, reached[h.Name], cancellationToken))).ConfigureAwait(false)
            : [];
        if (observation.Cluster is not { } cluster)
        {
            problems.Add($"no etcd member answers a health check ({(hosts.Count == 0 ? "no etcd host reached" : string.Join(", ", hosts.Select(h => h.h.Name)) + " asked")})");
            return new EtcdStatusReport { Cluster = config.Name, Backups = backups, Problems = problems };
        }

        var members = cluster.Members.Select(m =>
        {
            var health = observation.Health.FirstOrDefault(h => m.ClientUrls.Contains(h.Endpoint, StringComparer.Ordinal));
            return new EtcdMemberReport
            {
                Id = m.HexId,
                Name = m.Name,
                Host = config.EtcdMembers.FirstOrDefault(h => m.HasPeerUrl(EtcdClient.PeerUrl(h)))?.Name,
                PeerUrls = m.PeerUrls,
                ClientUrls = m.ClientUrls,
                IsLearner = m.IsLearner,
                Healthy = cluster.IsHealthy(m),
                HealthError = health is { Healthy: false } ? health.Error : m.Started ? null : "not started",
                IsLeader = m.Id == cluster.Leader,
                Status = observation.Status.FirstOrDefault(s => s.MemberId == m.Id),
            };
        }).OrderBy(m => m.Host is null ? 1 : 0).ThenBy(m => m.Name, StringComparer.Ordinal).ToList();

        foreach (var member in members)
        {
            var label = member.Name.Length > 0 ? member.Name : "member " + member.Id;
            if (member.IsLearner && member.Status is null)
            {
                problems.Add($"{label}: a learner that does not answer ({member.HealthError ?? "no status"})");
            }
            else if (!member.IsLearner && !member.Healthy)
            {
                problems.Add($"{label}: not healthy ({member.HealthError ?? "no answer"})");
            }

            if (member.Host is null)
            {
                problems.Add($"{label}: a member without a host in the cluster file (`bootstrap init` removes it)");
            }
        }

        problems.AddRange(config.EtcdMembers.Where(h => members.All(m => m.Host != h.Name)).Select(h => $"{h.Name}: in the cluster file, not an etcd member (`bootstrap init` adds it)"));
        problems.AddRange(backups.Where(b => b.Timer != "active" || b.LastResult is not (null or "success")).Select(b => $"{b.Host}: backup timer {b.Timer}, last run {b.LastResult ?? "none"}"));
        var clusterId = observation.Status.Select(s => s.ClusterId).FirstOrDefault();
        return new EtcdStatusReport
        {
            Cluster = config.Name,
            ReadThrough = observation.Coordinator,
            ClusterId = clusterId == 0 ? null : EtcdClient.Hex(clusterId),
            Members = members,
            Backups = backups,
            Problems = problems,
        };
    }

    private static async Task<EtcdBackupReport> BackupAsync(ClusterConfig config, HostSpec host, EtcdBackupSpec backup, IRemoteHost remote, CancellationToken cancellationToken)
    {
        var timer = await Show(remote, EtcdBackupFiles.Timer, ["ActiveState", "LastTriggerUSec", "NextElapseUSecRealtime"], cancellationToken).ConfigureAwait(false);
        var service = await Show(remote, EtcdBackupFiles.Service, ["Result", "ExecMainExitTimestamp"], cancellationToken).ConfigureAwait(false);
        var prefix = EtcdBackupFiles.Prefix(config, host);
        var listing = await remote.RunAsync(
            new RemoteCommand(["find", backup.Directory, "-maxdepth", "1", "-type", "f", "-name", prefix + "-*.db", "-printf", "%f %s\\n"], sudo: true), cancellationToken).ConfigureAwait(false);
        var files = listing.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', 2))
            .Where(p => p.Length == 2 && long.TryParse(p[1], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(p => (Name: p[0], Size: long.Parse(p[1], CultureInfo.InvariantCulture)))
            .OrderByDescending(f => f.Name, StringComparer.Ordinal)
            .ToList();
        var ran = Timestamp(service.GetValueOrDefault("ExecMainExitTimestamp"));
        return new EtcdBackupReport
        {
            Host = host.Name,
            Timer = timer.GetValueOrDefault("ActiveState") is { Length: > 0 } state ? state : "unknown",
            LastRun = ran ?? Timestamp(timer.GetValueOrDefault("LastTriggerUSec")),
            LastResult = ran is null ? null : service.GetValueOrDefault("Result"),
            NextRun = Timestamp(timer.GetValueOrDefault("NextElapseUSecRealtime")),
            Snapshots = files.Count,
            Newest = files.FirstOrDefault().Name,
            NewestSize = files.FirstOrDefault().Size,
        };
    }

    private static async Task<IReadOnlyDictionary<string, string>> Show(IRemoteHost host, string unit, string[] properties, CancellationToken cancellationToken)
    {
        var result = await host.RunAsync(
            new RemoteCommand(["env", "TZ=UTC", "systemctl", "show", "--timestamp=unix", .. properties.SelectMany(p => new[] { "-p", p }), unit], sudo: true), cancellationToken).ConfigureAwait(false);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
    }

    /// <summary>
    /// <c>@SECONDS</c> (systemctl's unix timestamps), or <c>Wed 2026-12-02 00:00:00 UTC</c>: systemd 252 prints a timer's
    /// <c>NextElapseUSecRealtime</c> that way even with <c>--timestamp=unix</c> (the command runs with TZ=UTC); null for
    /// empty, 0 or anything else.
    /// </summary>
    internal static DateTimeOffset? Timestamp(string? value)
    {
        if (value is { Length: > 1 } && value[0] == '@')
        {
            return long.TryParse(value[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
        }

        return value is not null
            && DateTime.TryParseExact(value, "ddd yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var utc)
            ? new DateTimeOffset(utc, TimeSpan.Zero)
            : null;
    }
}
