using Bootstrap.Core.Config;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Reset;

/// <summary><c>reset/remove-node</c>: delete the Node object through the API (the host's kubelet is stopped right after).</summary>
internal sealed class RemoveNodePhase : IApiPhase
{
    public string Name => "remove-node";

    public string Description => "Delete each node's Node object";

    public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return PhaseTarget.Of(config.Nodes);
    }

    public async Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(target);
        var name = target.Name;
        if (await context.Api.ReaderAsync(context, cancellationToken).ConfigureAwait(false) is not { } api)
        {
            return TargetPlan.Nothing($"would delete Node {name} once the API answers");
        }

        return await api.NodeAsync(name, cancellationToken).ConfigureAwait(false) is null
            ? TargetPlan.Nothing($"node {name} is not registered")
            : TargetPlan.Of([new Change
            {
                Host = name,
                Kind = ChangeKind.ApiDelete,
                Target = $"Node {name}",
                Apply = async (apply, ct) =>
                {
                    await (await apply.Run.Api.ClientAsync(apply, ct).ConfigureAwait(false)).DeleteNodeAsync(name, ct).ConfigureAwait(false);
                    return [];
                },
            }]);
    }
}
