namespace Bootstrap.Core.Etcd;

/// <summary>
/// Whether a host's etcd member may leave the cluster before the host is reset (the etcd operations guide: never below
/// quorum): the member the host holds, why its removal is refused, and who takes over when it leads.
/// </summary>
/// <param name="Member">The host's member; null when it holds none.</param>
/// <param name="Refusal">Why the removal is refused; null when it may go.</param>
/// <param name="Successor">The healthy voting member leadership moves to first, when the leaving member leads.</param>
internal sealed record EtcdRemovalCheck(EtcdMember? Member, string? Refusal, EtcdMember? Successor)
{
    /// <summary>Decides for the member of <paramref name="host"/> (its peer URL <paramref name="peerUrl"/>) from <paramref name="cluster"/>.</summary>
    public static EtcdRemovalCheck Of(EtcdClusterView cluster, string host, string peerUrl)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        if (cluster.WithPeerUrl(peerUrl) is not { } member)
        {
            return new EtcdRemovalCheck(null, null, null);
        }

        if (member.IsLearner)
        {
            return new EtcdRemovalCheck(member, null, null);
        }

        var remaining = cluster.Voting.Where(m => m.Id != member.Id).ToList();
        if (remaining.Count == 0)
        {
            return new EtcdRemovalCheck(member, $"{host} holds the last etcd member: resetting it loses the cluster's data (`bootstrap reset --all` tears the whole cluster down)", null);
        }

        var healthy = remaining.Count(cluster.IsHealthy);
        var quorum = (remaining.Count / 2) + 1;
        if (healthy < quorum)
        {
            var down = string.Join(", ", remaining.Where(m => !cluster.IsHealthy(m)).Select(m => m.Label));
            return new EtcdRemovalCheck(
                member,
                $"removing {host}'s etcd member would leave {healthy} of {remaining.Count} members healthy, below a quorum of {quorum} ({down} not healthy): "
                + "bring them back first (`bootstrap etcd status`), or restore a snapshot; nothing was changed",
                null);
        }

        var successor = cluster.Leader == member.Id ? remaining.First(cluster.IsHealthy) : null;
        return new EtcdRemovalCheck(member, null, successor);
    }
}
