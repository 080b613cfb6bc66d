using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;

namespace Bootstrap.Core.Etcd;

/// <summary>
/// One reading of etcd for a run: what each etcd host of the file holds, and — when a member answered — the cluster
/// as that member (the coordinator, through which changes are made) reports it, with every member's health and status.
/// </summary>
internal sealed record EtcdObservation
{
    public required IReadOnlyList<EtcdHostFacts> Hosts { get; init; }

    /// <summary>The file host whose member answered a health check first (file order); null when none did.</summary>
    public string? Coordinator { get; init; }

    public EtcdClusterView? Cluster { get; init; }

    public IReadOnlyList<EtcdEndpointHealth> Health { get; init; } = [];

    public IReadOnlyList<EtcdEndpointStatus> Status { get; init; } = [];

    public EtcdHostFacts Facts(string host) => Hosts.Single(h => h.Name == host);

    public EtcdMembershipDecision Decide(string? replace = null) => EtcdMembershipPolicy.Decide(Hosts, Cluster, replace);

    /// <summary>
    /// The initial-cluster flags for <paramref name="host"/>'s unit under <paramref name="decision"/>: a new cluster's
    /// members all start with the file's list; a member that joins in this run starts with the members it joins (itself
    /// included); any other member keeps the flags its unit was written with (see <see cref="EtcdInitialCluster"/>).
    /// </summary>
    public EtcdInitialCluster InitialClusterFor(ClusterConfig config, HostSpec host, EtcdMembershipDecision decision)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(decision);
        if (decision.Action == EtcdMembershipAction.NewCluster || Cluster is null && Hosts.All(h => !h.HasData))
        {
            return EtcdInitialCluster.New(config);
        }

        var facts = Facts(host.Name);
        var resumed = decision.Action == EtcdMembershipAction.Promote && facts is { HasData: true, Unit: not null };
        if (decision.Joins(host.Name) && !resumed && Cluster is not null)
        {
            var members = Named(config, Cluster.Members.Where(m => decision.Action != EtcdMembershipAction.Replace || m.Id != decision.Member?.Id))
                .Where(m => m.Name != host.Name)
                .Append((host.Name, EtcdClient.PeerUrl(host)));
            return EtcdInitialCluster.Joining(config, members.OrderBy(m => m.Name, StringComparer.Ordinal));
        }

        return facts.Unit
            ?? (Cluster is null ? EtcdInitialCluster.New(config) : EtcdInitialCluster.Joining(config, Named(config, Cluster.Members).OrderBy(m => m.Name, StringComparer.Ordinal)));
    }

    /// <summary>Members with their names; one that never started has none yet, and is called by its file host's name (or its id).</summary>
    private static IEnumerable<(string Name, string PeerUrl)> Named(ClusterConfig config, IEnumerable<EtcdMember> members) =>
        members.Where(m => m.PeerUrls.Count > 0).Select(m => (
            m.Name.Length > 0 ? m.Name : config.EtcdMembers.FirstOrDefault(h => m.HasPeerUrl(EtcdClient.PeerUrl(h)))?.Name ?? "member-" + m.HexId,
            m.PeerUrls[0]));
}
