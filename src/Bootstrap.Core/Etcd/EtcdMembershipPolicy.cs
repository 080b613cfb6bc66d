using Bootstrap.Core.ControlPlane;

namespace Bootstrap.Core.Etcd;

/// <summary>
/// Whether and how etcd's membership may follow the cluster file, as a pure decision with its reason, like the etcd
/// operations guide has it: one change at a time; a member is added as a learner (which does not vote, so adding it
/// cannot cost the quorum) and promoted once it caught up; every change is made only on a cluster whose voting members
/// are healthy — except that a member that lost its data may be replaced while the others are — and never when the
/// members left would not all be healthy or the change itself could not reach a quorum. Anything else is refused
/// before any change, naming what is wrong and what to do.
/// </summary>
internal static class EtcdMembershipPolicy
{
    /// <param name="hosts">The etcd hosts of the cluster file, in file order.</param>
    /// <param name="cluster">The cluster as a healthy member reports it; null when no member answered.</param>
    /// <param name="replace">A host to replace on request (<c>bootstrap etcd replace-member</c>), data or not.</param>
    public static EtcdMembershipDecision Decide(IReadOnlyList<EtcdHostFacts> hosts, EtcdClusterView? cluster, string? replace = null)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        return cluster is null ? WithoutCluster(hosts, replace) : WithCluster(hosts, cluster, replace);
    }

    public static int Quorum(int members) => (members / 2) + 1;

    private static EtcdMembershipDecision WithoutCluster(IReadOnlyList<EtcdHostFacts> hosts, string? replace)
    {
        var withData = hosts.Where(h => h.HasData).Select(h => h.Name).ToList();
        if (withData.Count == 0)
        {
            return new() { Action = EtcdMembershipAction.NewCluster, Reason = $"no etcd host holds data yet: {List(hosts.Select(h => h.Name))} start together as a new cluster" };
        }

        if (replace is not null)
        {
            return Refuse($"cannot replace {replace}: no etcd member answers a health check, so none can remove and add it; "
                + $"start etcd on the members that hold data ({List(withData)}), or recover the cluster from a snapshot (`bootstrap etcd snapshot restore`, docs/etcd.md)");
        }

        // Hosts without data whose unit says "new" belong to a new cluster that has not finished starting: they join it by starting.
        var joining = hosts.Where(h => !h.HasData && h.UnitState != EtcdClusterState.New).Select(h => h.Name).ToList();
        if (joining.Count > 0)
        {
            return Refuse($"{List(joining)} cannot join etcd: no member answers a health check, so none can add {(joining.Count == 1 ? "it" : "them")} "
                + $"({List(withData)} hold data); start etcd on those members (`systemctl start etcd`) and run again, "
                + "or recover the cluster from a snapshot (`bootstrap etcd snapshot restore`, docs/etcd.md)");
        }

        return new() { Action = EtcdMembershipAction.None, Reason = "no etcd member answers a health check: membership not checked; stopped members are started by etcd/member" };
    }

    private static EtcdMembershipDecision WithCluster(IReadOnlyList<EtcdHostFacts> hosts, EtcdClusterView cluster, string? replace)
    {
        // An address change would be a removal and an addition under one name: refused on its own, it is the clearer message.
        foreach (var host in hosts)
        {
            if (cluster.Members.FirstOrDefault(m => m.Name == host.Name && !m.HasPeerUrl(host.PeerUrl)) is { } moved)
            {
                return Refuse($"etcd member {host.Name} has peer URL {string.Join(",", moved.PeerUrls)}, the cluster file gives it {host.PeerUrl}: "
                    + $"a member's address is not changed in place; remove {host.Name} from the file, run init, then add it back with its new address");
            }
        }

        var byHost = hosts.ToDictionary(h => h.Name, h => cluster.WithPeerUrl(h.PeerUrl), StringComparer.Ordinal);
        var changes = new List<(EtcdMembershipAction Action, EtcdHostFacts? Host, EtcdMember? Member, string Text)>();
        foreach (var host in hosts)
        {
            var member = byHost[host.Name];
            if (member is null)
            {
                changes.Add((EtcdMembershipAction.Add, host, null, $"add {host.Name}"));
            }
            else if (member.IsLearner)
            {
                changes.Add((EtcdMembershipAction.Promote, host, member, $"promote the learner {host.Name}"));
            }
            else if (host.Name == replace || (member.Started && !host.HasData && !cluster.IsHealthy(member)))
            {
                changes.Add((EtcdMembershipAction.Replace, host, member, $"replace {host.Name}{(host.Name == replace ? string.Empty : " (it lost its data)")}"));
            }
        }

        foreach (var member in cluster.Members.Where(m => hosts.All(h => !m.HasPeerUrl(h.PeerUrl))))
        {
            changes.Add((EtcdMembershipAction.Remove, null, member, $"remove {member.Label}"));
        }

        if (replace is not null && hosts.All(h => h.Name != replace))
        {
            return Refuse($"{replace} is not an etcd host of the cluster file");
        }

        if (changes.Count > 1)
        {
            return Refuse($"the cluster file asks for {changes.Count} etcd membership changes at once ({List(changes.Select(c => c.Text))}); "
                + "etcd changes one member at a time: change the file one host at a time and run init after each");
        }

        var voting = cluster.Voting;
        var unhealthy = voting.Where(m => !cluster.IsHealthy(m)).ToList();
        if (changes.Count == 0)
        {
            return new()
            {
                Action = EtcdMembershipAction.None,
                Reason = $"the members are those of the cluster file ({voting.Count} voting, "
                    + (unhealthy.Count == 0 ? "all healthy)" : $"{List(unhealthy.Select(m => m.Label))} not healthy)"),
            };
        }

        var (action, joining, target, _) = changes[0];
        switch (action)
        {
            case EtcdMembershipAction.Add or EtcdMembershipAction.Promote:
                if (unhealthy.Count > 0)
                {
                    return Refuse($"cannot {(action == EtcdMembershipAction.Add ? "add" : "promote")} {joining!.Name}: {List(unhealthy.Select(m => m.Label))} "
                        + $"{(unhealthy.Count == 1 ? "is" : "are")} not healthy; a member is added only while every voting member is healthy "
                        + $"(a promotion raises the quorum from {Quorum(voting.Count)} to {Quorum(voting.Count + 1)}); bring {(unhealthy.Count == 1 ? "it" : "them")} back first");
                }

                return new()
                {
                    Action = action,
                    Host = joining!.Name,
                    Member = target,
                    MoveDataAside = action == EtcdMembershipAction.Add && joining.HasData,
                    Reason = action == EtcdMembershipAction.Add
                        ? $"{joining.Name} is in the cluster file and not an etcd member: it joins as a learner and is promoted once it caught up"
                        : $"{joining.Name} is a learner (added earlier): it is started and promoted once it caught up",
                };

            case EtcdMembershipAction.Remove:
                return Removal(cluster, target!, voting);

            default:
                return Replacement(cluster, joining!, target!, voting, requested: joining!.Name == replace);
        }
    }

    private static EtcdMembershipDecision Removal(EtcdClusterView cluster, EtcdMember leaving, IReadOnlyList<EtcdMember> voting)
    {
        var remaining = voting.Where(m => m.Id != leaving.Id).ToList();
        if (remaining.Count == 0)
        {
            return Refuse($"removing {leaving.Label} would leave etcd without a voting member");
        }

        if (remaining.Where(m => !cluster.IsHealthy(m)).ToList() is { Count: > 0 } down)
        {
            var healthy = remaining.Count - down.Count;
            return Refuse($"removing {leaving.Label} would leave {healthy} of the remaining {remaining.Count} members healthy "
                + $"({List(down.Select(m => m.Label))} {(down.Count == 1 ? "is" : "are")} not), and a quorum of {Quorum(remaining.Count)} needs "
                + $"{(Quorum(remaining.Count) == remaining.Count ? "all of them" : Quorum(remaining.Count).ToString(System.Globalization.CultureInfo.InvariantCulture))}; "
                + "a member is removed only when the members left are all healthy: bring them back first");
        }

        if (NoQuorumForTheChange(cluster, voting) is { } refusal)
        {
            return refusal with { Reason = $"cannot remove {leaving.Label}: {refusal.Reason}" };
        }

        var leads = !leaving.IsLearner && cluster.Leader == leaving.Id;
        return new()
        {
            Action = EtcdMembershipAction.Remove,
            Member = leaving,
            MoveLeaderFirst = leads,
            Reason = $"{leaving.Label} is not an etcd host of the cluster file: it is removed"
                + (leads ? " (it leads: leadership moves to a healthy member first)" : string.Empty)
                + $", leaving {remaining.Count} healthy voting member{(remaining.Count == 1 ? string.Empty : "s")}",
        };
    }

    private static EtcdMembershipDecision Replacement(EtcdClusterView cluster, EtcdHostFacts host, EtcdMember member, IReadOnlyList<EtcdMember> voting, bool requested)
    {
        var remaining = voting.Where(m => m.Id != member.Id).ToList();
        if (remaining.Count == 0)
        {
            return Refuse($"{host.Name} is the only voting etcd member: it cannot be removed and added again; "
                + "recover it from a snapshot instead (`bootstrap etcd snapshot restore`, docs/etcd.md)");
        }

        if (remaining.Where(m => !cluster.IsHealthy(m)).ToList() is { Count: > 0 } down)
        {
            return Refuse($"cannot replace {host.Name}: {List(down.Select(m => m.Label))} {(down.Count == 1 ? "is" : "are")} not healthy either; "
                + "a member is replaced only while all the others are healthy: bring them back first");
        }

        if (NoQuorumForTheChange(cluster, voting) is { } refusal)
        {
            return refusal with { Reason = $"cannot replace {host.Name}: {refusal.Reason}; recover the cluster from a snapshot (`bootstrap etcd snapshot restore`, docs/etcd.md)" };
        }

        return new()
        {
            Action = EtcdMembershipAction.Replace,
            Host = host.Name,
            Member = member,
            MoveLeaderFirst = cluster.Leader == member.Id,
            MoveDataAside = host.HasData,
            Reason = (requested ? $"{host.Name} is replaced on request" : $"{host.Name} lost its data (no {KubeadmLayout.EtcdDataDir}/member) and is not healthy")
                + $": member {member.HexId} is removed, then {host.Name} joins again as a learner with an empty data directory and is promoted once it caught up",
        };
    }

    /// <summary>A removal is a change etcd commits through its log: a quorum of the current voting members must answer.</summary>
    private static EtcdMembershipDecision? NoQuorumForTheChange(EtcdClusterView cluster, IReadOnlyList<EtcdMember> voting)
    {
        var healthy = voting.Count(cluster.IsHealthy);
        return healthy >= Quorum(voting.Count)
            ? null
            : Refuse($"the change needs a quorum of the {voting.Count} voting members ({Quorum(voting.Count)}), and {healthy} {(healthy == 1 ? "is" : "are")} healthy");
    }

    private static EtcdMembershipDecision Refuse(string reason) => new() { Action = EtcdMembershipAction.Refuse, Reason = reason };

    private static string List(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count <= 1 ? string.Concat(list) : string.Join(", ", list.Take(list.Count - 1)) + " and " + list[^1];
    }
}
