namespace Bootstrap.Core.Workflow;

/// <summary>
/// A leaf whose host targets are acted on through the Kubernetes API from the workstation (their Node objects), not
/// over SSH: a run needs no connection to them for this phase.
/// </summary>
public interface IApiPhase : ILeafPhase
{
}
