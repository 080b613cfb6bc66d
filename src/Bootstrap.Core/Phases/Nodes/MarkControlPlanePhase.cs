using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary>
/// kubeadm's mark-control-plane: label and taint each control-plane Node (<see cref="ControlPlaneMarks"/>),
/// through the API from the workstation; it acts on the Node objects and needs no SSH to the hosts.
/// </summary>
internal sealed class MarkControlPlanePhase : IApiPhase
{
    public string Name => "mark-control-plane";

    public string Description => "Label and taint the control-plane nodes (node-role.kubernetes.io/master)";

    public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return PhaseTarget.Of(config.Nodes.Where(h => h.HasRole(HostRole.ControlPlane)));
    }

    public async Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(target);
        var name = target.Name;
        var api = await context.Api.ReaderAsync(context, cancellationToken).ConfigureAwait(false);
        var node = api is null ? null : await api.NodeAsync(name, cancellationToken).ConfigureAwait(false);
        if (api is not null && node is null && !context.DryRun)
        {
            return TargetPlan.Refuse($"node {name} is not registered");
        }

        if (node is not null && ControlPlaneMarks.Patch(node) is null)
        {
            return TargetPlan.Nothing($"node {name} is marked as a control-plane node");
        }

        return TargetPlan.Of([new Change
        {
            Host = name,
            Kind = ChangeKind.ApiUpdate,
            Target = $"Node {name}",
            To = ControlPlaneMarks.Label,
            Reason = node is null ? $"once it is registered: label {ControlPlaneMarks.Label} and taint it" : $"label {ControlPlaneMarks.Label} and taint it",
            Apply = async (apply, ct) =>
            {
                var client = await apply.Run.Api.ClientAsync(apply, ct).ConfigureAwait(false);
                var current = await client.NodeAsync(name, ct).ConfigureAwait(false) ?? throw new PhaseFailedException($"node {name} is not registered");
                if (ControlPlaneMarks.Patch(current) is { } patch)
                {
                    await client.PatchNodeAsync(name, patch.ToJsonString(), ct).ConfigureAwait(false);
                }

                return [];
            },
        }]);
    }
}
