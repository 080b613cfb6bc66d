using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Reset;

/// <summary>
/// The phases of <c>bootstrap reset</c> (kubeadm reset's scope, driven from the workstation), in order: a check that refuses,
/// before any change, an etcd member whose removal would cost the rest their quorum; the cluster side (drain, delete the Node, its etcd member leaves), so that it is done even when the host cannot be reached; then the host (stop and
/// disable the services, remove what Bootstrap wrote). Meant to run with a host filter naming the hosts to reset.
/// </summary>
public static class ResetWorkflow
{
    public static PhaseTree Create(ResetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new PhaseTree(
            "reset",
            [
                .. options.All ? Array.Empty<ILeafPhase>() : [new EtcdQuorumCheckPhase()],
                new DrainPhase(options),
                new RemoveNodePhase(),
                .. options.All ? Array.Empty<ILeafPhase>() : [new EtcdMemberLeavesPhase()],
                new StopServicesPhase(),
                new RemoveFilesPhase(),
            ]);
    }
}
