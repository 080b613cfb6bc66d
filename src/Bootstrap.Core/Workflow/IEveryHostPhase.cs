namespace Bootstrap.Core.Workflow;

/// <summary>
/// A leaf that keeps every host target when a run names only some hosts (<see cref="WorkflowSelection.Hosts"/>): what it
/// sets on one host depends on the others (every node routes to every other node's pods), so joining one node changes
/// them all. The guards then run on those hosts too.
/// </summary>
public interface IEveryHostPhase : ILeafPhase
{
}
