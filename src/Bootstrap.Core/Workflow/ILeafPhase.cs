using Bootstrap.Core.Config;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// A phase that converges its targets. For each target it reads what is there and returns a
/// <see cref="TargetPlan"/>: the typed changes that would bring it where the phase wants it. The runner reports
/// them in a dry run and applies them otherwise; a phase never writes while it plans (it only gets a
/// <see cref="HostView"/>). Optional capabilities are small interfaces: <see cref="IPreparingPhase"/> (work on the
/// workstation before the targets), <see cref="IGuardPhase"/> (runs before anything that writes, whatever the selection).
/// </summary>
public interface ILeafPhase : IPhase
{
    IReadOnlyList<IPhase> IPhase.Children => [];

    /// <summary>What the phase acts on, in cluster-file order: hosts, or <see cref="PhaseTarget.Cluster"/> for API work.</summary>
    IReadOnlyList<PhaseTarget> Targets(ClusterConfig config);

    /// <summary>Reads the target and says what would change. Expected refusals are returned (<see cref="TargetPlan.Refusal"/>); exceptions are bugs or broken hosts.</summary>
    Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken);
}
