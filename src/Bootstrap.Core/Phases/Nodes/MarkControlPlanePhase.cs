using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary>
/// kubeadm's mark-control-plane: label and taint each control-plane Node (<see cref="ControlPlaneMarks"/>),
/// through the API from the workstation. Runs per control-plane host that is a node.
/// </summary>
internal sealed class MarkControlPlanePhase : IPhase
{
    private readonly NodeSession _session;

    public MarkControlPlanePhase(NodeSession session) => _session = session;

    public string Name => "mark-control-plane";

    public string Description => "Label and taint the control-plane nodes (node-role.kubernetes.io/master)";

    public IReadOnlyList<IPhase> Children => [];

    public IReadOnlyList<HostSpec> Targets(ClusterConfig config) =>
        ClusterNodes.Of(config).Where(h => h.HasRole(HostRole.ControlPlane)).ToArray();

    public Task<bool> NeedsRunAsync(PhaseContext context, IRemoteHost host, CancellationToken cancellationToken) => Task.FromResult(true);

    public async Task<PhaseResult> RunAsync(PhaseContext context, IRemoteHost host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(host);
        if (await _session.ApiOrNullInPlanAsync(context, cancellationToken).ConfigureAwait(false) is not { } api)
        {
            return PhaseResult.ChangedWith($"would label and taint node {host.Name} once the API answers");
        }

        var node = await api.NodeAsync(host.Name, cancellationToken).ConfigureAwait(false);
        if (node is null)
        {
            return context.DryRun
                ? PhaseResult.ChangedWith($"would label and taint node {host.Name} once it is registered")
                : PhaseResult.Failed($"node {host.Name} is not registered", []);
        }

        if (ControlPlaneMarks.Patch(node) is not { } patch)
        {
            return PhaseResult.Unchanged($"node {host.Name} is marked as a control-plane node");
        }

        if (!context.DryRun)
        {
            await api.PatchNodeAsync(host.Name, patch.ToJsonString(), cancellationToken).ConfigureAwait(false);
        }

        return PhaseResult.ChangedWith($"{(context.DryRun ? "would mark" : "marked")} node {host.Name} as a control-plane node ({ControlPlaneMarks.Label})");
    }
}
