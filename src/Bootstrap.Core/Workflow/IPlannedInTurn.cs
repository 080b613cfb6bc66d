namespace Bootstrap.Core.Workflow;

/// <summary>
/// A leaf whose plan reads what an earlier phase's plan gathered in this run (state of the <see cref="PhaseContext"/>, such as
/// the versions an upgrade's <c>versions</c> phase read): it is planned in its turn only, never ahead of it (<see cref="PlansAhead"/>).
/// </summary>
public interface IPlannedInTurn : ILeafPhase
{
}
