namespace Bootstrap.Core.Workflow;

/// <summary>
/// A leaf that acts on the cluster as a whole (through the Kubernetes API) and runs once, reported under a
/// stand-in host. A host filter (<see cref="WorkflowSelection.Hosts"/>) does not restrict it: joining one
/// node still needs, say, its serving-certificate request approved.
/// </summary>
public interface IClusterWidePhase : IPhase
{
}
