namespace Bootstrap.Core.Workflow;

/// <summary>
/// A leaf whose plan gathers something into the run's <see cref="PhaseContext"/> for a later phase's plan (an upgrade's
/// <c>versions</c>), or reads what an earlier phase's plan gathered there (<c>skew</c>): it is planned in its turn only, never
/// ahead of it (<see cref="PlansAhead"/>), whose plans have a context of their own. Both sides carry it.
/// </summary>
public interface IPlannedInTurn : ILeafPhase
{
}
