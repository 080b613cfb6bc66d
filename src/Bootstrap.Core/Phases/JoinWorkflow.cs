using Bootstrap.Core.Config;
using Bootstrap.Core.Phases.Artifacts;
using Bootstrap.Core.Phases.Identity;
using Bootstrap.Core.Phases.Nodes;
using Bootstrap.Core.Phases.Preflight;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases;

/// <summary>
/// The phases of <c>bootstrap join</c>: the node part of <see cref="InitWorkflow"/> (the same phases, in the
/// same order), for a cluster whose control plane and kubeadm objects <c>init</c> already made. Meant to run
/// with a host filter (<see cref="WorkflowSelection.Hosts"/>) naming the joining nodes; the cluster-wide
/// phases (client and serving certificate requests) still run once through the API.
/// </summary>
public static class JoinWorkflow
{
    public static PhaseTree Create(PreflightOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new PhaseTree(
            "join",
            [
                new PreflightPhase(options),
                new IdentityPhase(),
                new ArtifactsPhase(),
                .. NodePhases(),
            ]);
    }

    /// <summary>
    /// The phases that make hosts nodes, in order; init runs them after its control plane, join alone. The runtime and
    /// the images come before the kubelet needs them; the pod network once the kubelet registered its Node (whose pod
    /// range the network hands out); node-eviction last, once the nodes that joined are Ready.
    /// </summary>
    internal static IReadOnlyList<IPhase> NodePhases() =>
    [
        new ContainerdPhase(),
        new ImagesPhase(),
        new KubeletStartPhase(),
        new ClientCsrPhase(),
        new PodNetworkPhase(),
        new MarkControlPlanePhase(),
        new ServingCsrPhase(),
        new KubeProxyPhase(),
        new NodeEvictionPhase(),
    ];

    /// <summary>The hosts that can join: the cluster's nodes, in file order.</summary>
    public static IReadOnlyList<HostSpec> Hosts(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Nodes;
    }
}
