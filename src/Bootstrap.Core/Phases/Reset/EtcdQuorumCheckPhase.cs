using Bootstrap.Core.Config;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Reset;

/// <summary>
/// <c>reset/etcd-check</c>: the reset's first phase, a check that changes nothing. For each etcd host being reset, whether its
/// member may leave (<see cref="EtcdMemberLeavesPhase.CheckAsync"/>: the other members would keep a healthy quorum, and it is
/// not the last one). A refusal here stops the reset before the drain cordons a Node or one is deleted; <c>etcd-member</c>
/// checks again, on the cluster as it is by then. Not part of <c>reset --all</c>.
/// </summary>
internal sealed class EtcdQuorumCheckPhase : IApiPhase
{
    public string Name => "etcd-check";

    public string Description => "Check, before any change, that each etcd member to be removed can leave with the rest keeping a healthy quorum";

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
        var (refusal, check, _) = await EtcdMemberLeavesPhase.CheckAsync(context, host, cancellationToken).ConfigureAwait(false);
        return refusal ?? TargetPlan.Nothing(check?.Member is { } member
            ? $"{host.Name}'s etcd member {member.Label} can leave: the others keep a healthy quorum"
            : $"{host.Name} holds no etcd member");
    }
}
