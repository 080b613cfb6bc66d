using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Install;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Etcd;

/// <summary>
/// Reads etcd from its hosts (read-only): each host's data directory and unit, then, through the first member (in
/// file order) that answers a health check, the member list and every member's health and status. Hosts without data
/// are not asked for health: they hold no member (a new cluster is read in two commands per host).
/// </summary>
internal static class EtcdObserver
{
    /// <param name="hosts">The etcd hosts of the file (in file order) with what runs commands on each.</param>
    public static async Task<EtcdObservation> ReadAsync(IReadOnlyList<(HostSpec Host, ICommandRunner Runner)> hosts, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        var facts = await Task.WhenAll(hosts.Select(h => FactsAsync(h.Host, h.Runner, cancellationToken))).ConfigureAwait(false);
        var healthy = await Task.WhenAll(hosts.Zip(facts).Select(async h =>
            h.Second.HasData && await EtcdClient.OnMember(h.First.Runner, h.First.Host, redactor).LocalHealthyAsync(cancellationToken).ConfigureAwait(false))).ConfigureAwait(false);
        var first = Array.IndexOf(healthy, true);
        if (first < 0)
        {
            ExpectTheMembers(hosts, redactor);
            return new EtcdObservation { Hosts = facts };
        }

        var (host, runner) = hosts[first];
        var (cluster, health, status) = await ReadClusterAsync(EtcdClient.OnMember(runner, host, redactor), cancellationToken).ConfigureAwait(false);
        return new EtcdObservation
        {
            Hosts = facts,
            Coordinator = host.Name,
            Cluster = cluster,
            Health = health,
            Status = status,
        };
    }

    /// <summary>The members, and every started member's health and status, through <paramref name="client"/>'s member.</summary>
    public static async Task<(EtcdClusterView Cluster, IReadOnlyList<EtcdEndpointHealth> Health, IReadOnlyList<EtcdEndpointStatus> Status)> ReadClusterAsync(
        EtcdClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var members = await client.MembersAsync(cancellationToken).ConfigureAwait(false);

        // In one order whatever the members' (their ids'), so that the next run's reads are known ahead (ExpectTheMembers).
        var endpoints = members.Where(m => m.ClientUrls.Count > 0).Select(m => m.ClientUrls[0]).Order(StringComparer.Ordinal).ToList();
        // Both at once: a member that is down costs each its whole command timeout, so in turn they would cost twice that.
        var asking = client.HealthAsync(endpoints, cancellationToken);
        var statusing = client.StatusAsync(endpoints, cancellationToken);
        await Task.WhenAll(asking, statusing).ConfigureAwait(false);
        var (health, status) = (await asking.ConfigureAwait(false), await statusing.ConfigureAwait(false));
        return (View(members, health, status), health, status);
    }

    /// <summary>
    /// No member answers (a cluster this run is about to make, or one that is down): what the next plan reads once the file's
    /// members run, for the next run to read ahead (<see cref="Workflow.HostView.Expect"/>; nothing outside a plan). Each host's
    /// local health, then, through the first, the member list and every member's health and status, as <see cref="ReadAsync"/> reads them.
    /// </summary>
    private static void ExpectTheMembers(IReadOnlyList<(HostSpec Host, ICommandRunner Runner)> hosts, SecretRedactor redactor)
    {
        if (hosts.Count == 0 || hosts[0].Runner is not Workflow.HostView coordinator)
        {
            return;
        }

        foreach (var (host, runner) in hosts)
        {
            (runner as Workflow.HostView)?.Expect(EtcdClient.OnMember(runner, host, redactor).LocalHealthCommand());
        }

        var client = EtcdClient.OnMember(coordinator, hosts[0].Host, redactor);
        var endpoints = hosts.Select(h => EtcdClient.ClientUrl(h.Host)).Order(StringComparer.Ordinal).ToList();
        coordinator.Expect(client.MembersCommand());
        coordinator.Expect(client.HealthCommand(endpoints));
        coordinator.Expect(client.StatusCommand(endpoints));
    }

    /// <summary>The cluster view from what etcdctl printed: a member is healthy when its client URL answered the health check.</summary>
    public static EtcdClusterView View(IReadOnlyList<EtcdMember> members, IReadOnlyList<EtcdEndpointHealth> health, IReadOnlyList<EtcdEndpointStatus> status)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(health);
        ArgumentNullException.ThrowIfNull(status);
        var healthy = members.Where(m => health.Any(h => h.Healthy && m.ClientUrls.Contains(h.Endpoint, StringComparer.Ordinal))).Select(m => m.Id).ToHashSet();

        // The leader as most members that answered see it (they agree unless an election is under way).
        var leader = status.Where(s => s.Leader != 0).GroupBy(s => s.Leader).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault();
        return new EtcdClusterView(members, healthy, leader);
    }

    private static async Task<EtcdHostFacts> FactsAsync(HostSpec host, ICommandRunner runner, CancellationToken cancellationToken)
    {
        // The data directory is the etcd user's (0700): look as root. Only "no such file" means no data: a host that
        // cannot be read (sudo refused) must never look like a member that lost its data.
        var data = await runner.RunAsync(new RemoteCommand(["env", "LC_ALL=C", "stat", "-c", "%F", "--", EtcdDataDirectory.Member], sudo: true), cancellationToken).ConfigureAwait(false);
        // Read as a small file is (RemoteFileRead): a device in the unit's place is refused, never read without end.
        var unit = await runner.RunAsync(RemoteFileRead.Command(InstallFiles.UnitPath("etcd")), cancellationToken).ConfigureAwait(false);
        ThrowUnlessMissing(runner, data, EtcdDataDirectory.Member);
        ThrowUnlessMissing(runner, unit, InstallFiles.UnitPath("etcd"));
        var hasData = data.Succeeded && data.Stdout.Trim() == "directory";
        return new EtcdHostFacts(host.Name, EtcdClient.PeerUrl(host), hasData, unit.Succeeded ? EtcdInitialCluster.FromUnit(unit.Stdout) : null);
    }

    /// <summary>A failed read is fine when <paramref name="path"/> does not exist; any other failure is an error.</summary>
    private static void ThrowUnlessMissing(ICommandRunner runner, CommandResult result, string path)
    {
        if (!result.Succeeded && result.Stderr.Contains(RemoteFileRead.NotRegular, StringComparison.Ordinal))
        {
            throw new IOException(
                $"{runner.Name}: cannot read {path}: {result.Stderr.Trim()}; remove it (`sudo rm -- {path}`) and run again: Bootstrap writes it again");
        }

        if (!result.Succeeded && !result.Stderr.Contains("No such file or directory", StringComparison.Ordinal))
        {
            throw new RemoteCommandException(runner.Name, $"read {path}", result);
        }
    }
}
