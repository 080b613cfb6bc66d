using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Phases.Install;
using Bootstrap.Core.Phases.Nodes;
using Bootstrap.Core.Phases.Preflight;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases;

/// <summary>
/// The phases of <c>bootstrap join</c>: the node part of <see cref="InitWorkflow"/> (the same phases, in the
/// same order), for a cluster whose control plane and kubeadm objects <c>init</c> already made. Meant to run
/// with a host filter (<see cref="WorkflowSelection.Hosts"/>) naming the joining nodes; the cluster-wide
/// phase (serving-certificate approval) still runs once through the API.
/// </summary>
public static class JoinWorkflow
{
    public static PhaseTree Create(InitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var session = new InstallSession();
        return new PhaseTree(
            "join",
            [
                new PreflightPhase(options.IgnorePreflightErrors, options.MaxClockSkew),
                new InstallPhase(InstallSteps.Artifacts(), session),
                .. NodePhases(new NodeSession(session)),
            ]);
    }

    /// <summary>The phases that make hosts nodes, in order; init runs them after its control plane, join alone.</summary>
    internal static IReadOnlyList<IPhase> NodePhases(NodeSession nodes) =>
    [
        new KubeletStartPhase(nodes),
        new MarkControlPlanePhase(nodes),
        new ServingCsrPhase(nodes),
        new InstallPhase(NodeSteps.KubeProxy(nodes), nodes.Install),
    ];

    /// <summary>The hosts that can join: the cluster's nodes (<see cref="ClusterNodes"/>), in file order.</summary>
    public static IReadOnlyList<HostSpec> Hosts(ClusterConfig config) => ClusterNodes.Of(config);
}
