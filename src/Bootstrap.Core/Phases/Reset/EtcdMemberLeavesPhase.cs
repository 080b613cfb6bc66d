using Bootstrap.Core.Config;
using Bootstrap.Core.Etcd;
using Bootstrap.Core.Phases.Etcd;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Reset;

/// <summary>
/// <c>reset/etcd-member</c>: before an etcd host is reset, its member leaves the etcd cluster (leadership moved first when
/// it leads), through etcdctl on another member that answers — so the host needs no connection and an unreachable host's
/// member is removed too. Refused when the members left would not keep a quorum healthy or it is the last one
/// (<see cref="EtcdRemovalCheck"/>): first by <see cref="EtcdQuorumCheckPhase"/>, the reset's first phase, so that a refused
/// reset changes nothing (no drain, no Node deleted); here again when planned, and right before the removal, on the cluster as it is then;
/// one host at a time (one membership change at a time). Not part of <c>reset --all</c>, which tears etcd down whole.
/// </summary>
internal sealed class EtcdMemberLeavesPhase : IApiPhase
{
    public string Name => "etcd-member";

    public string Description => "Remove the host's etcd member through another member (leadership moved first when it leads); refused when the rest would lose quorum";

    public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return PhaseTarget.Of(config.EtcdMembers);
    }

    public async Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(target);
        var host = target.RequiredHost;
        var (refusal, check, others) = await CheckAsync(context, host, cancellationToken).ConfigureAwait(false);
        if (refusal is not null || check?.Member is not { } member)
        {
            return refusal ?? TargetPlan.Nothing($"{host.Name} holds no etcd member");
        }

        return new TargetPlan { Changes = [Removal(host, member, check.Successor, others)], Rolling = true };
    }

    /// <summary>
    /// Whether <paramref name="host"/>'s member may leave, read through the first other member that answers: a refusal when it
    /// may not, else the check (its member, or none, and the successor when it leads); and the other members.
    /// </summary>
    internal static async Task<(TargetPlan? Refusal, EtcdRemovalCheck? Check, IReadOnlyList<HostSpec> Others)> CheckAsync(
        PhaseContext context, HostSpec host, CancellationToken cancellationToken)
    {
        var others = context.Config.EtcdMembers.Where(h => h.Name != host.Name).ToList();
        var unreachable = new List<string>();
        foreach (var other in others)
        {
            // The other members serve as coordinators, here and when the change is applied: connect them once.
            if (context.Host(other.Name) is null && (await context.OutsideAsync(other, cancellationToken).ConfigureAwait(false)).Error is { } error)
            {
                unreachable.Add($"{other.Name} ({error})");
            }
        }

        var reading = await ReadAsync(context.Host, context.Redactor, others, cancellationToken).ConfigureAwait(false);
        if (reading is not var (_, cluster))
        {
            return (TargetPlan.Refuse(
                $"no other etcd member answers ({(unreachable.Count > 0 ? "unreachable: " + string.Join(", ", unreachable) : "none is healthy")}): "
                + $"{host.Name}'s member cannot leave safely; `bootstrap etcd status` shows the members, `reset --all` tears the whole cluster down"), null, others);
        }

        var check = EtcdRemovalCheck.Of(cluster, host.Name, EtcdClient.PeerUrl(host));
        return (check.Refusal is { } refusal ? TargetPlan.Refuse(refusal) : null, check, others);
    }

    /// <summary>The first other member (in file order) that answers a health check, with the cluster as it sees it; null when none does.</summary>
    private static async Task<(HostSpec Coordinator, EtcdClusterView Cluster)?> ReadAsync(
        Func<string, IRemoteHost?> connection, SecretRedactor redactor, IReadOnlyList<HostSpec> others, CancellationToken cancellationToken)
    {
        foreach (var other in others)
        {
            if (connection(other.Name) is not { } remote)
            {
                continue;
            }

            var client = EtcdClient.OnMember(remote, other, redactor);
            if (!await client.LocalHealthyAsync(cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            return (other, (await EtcdObserver.ReadClusterAsync(client, cancellationToken).ConfigureAwait(false)).Cluster);
        }

        return null;
    }

    private static Change Removal(HostSpec host, EtcdMember member, EtcdMember? successor, IReadOnlyList<HostSpec> others) => new()
    {
        Host = host.Name,
        Kind = ChangeKind.EtcdMemberRemove,
        Target = $"etcd member {member.Label} ({member.HexId})",
        From = member.IsLearner ? "learner" : "voting member",
        Reason = successor is null ? "its host is reset" : $"its host is reset; leadership moves to {successor.Label} first",
        Apply = async (apply, ct) =>
        {
            // The cluster as it is now: an earlier host of this run may have left, or a member may have failed since the plan.
            var reading = await ReadAsync(name => apply.Run.Host(name), apply.Redactor, others, ct).ConfigureAwait(false)
                ?? throw new PhaseFailedException($"{host.Name}: no other etcd member answers any more; its member stays (nothing was removed)");
            var (coordinator, cluster) = reading;
            var check = EtcdRemovalCheck.Of(cluster, host.Name, EtcdClient.PeerUrl(host));
            if (check.Refusal is { } refusal)
            {
                throw new PhaseFailedException(refusal);
            }

            if (check.Member is not { } now)
            {
                return [$"{host.Name} holds no etcd member any more"];
            }

            var client = EtcdClient.OnMember(apply.Host(coordinator.Name), coordinator, apply.Redactor);
            var details = new List<string>();
            if (check.Successor is { } next)
            {
                var voting = cluster.Voting.Where(m => m.Id == now.Id || cluster.IsHealthy(m)).Where(m => m.ClientUrls.Count > 0).Select(m => m.ClientUrls[0]).ToList();
                await client.MoveLeaderAsync(next.Id, voting, ct).ConfigureAwait(false);
                details.Add($"moved etcd leadership from {now.Label} to {next.Label}");
            }

            // etcd's own check (every other voting member connected for 5 s) may still be settling after a recent restart.
            await EtcdMembershipChanges.RemoveAsync(apply, client, now.Id, ct).ConfigureAwait(false);
            details.Add($"removed etcd member {now.Label} ({now.HexId}) through {coordinator.Name}");
            return details;
        },
    };
}
