using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Workflow;
using k8s.Models;

namespace Bootstrap.Core.Phases.Reset;

/// <summary>
/// <c>reset/drain</c> (also the first step of a node's turn in an upgrade): cordon the Node, then evict its pods through the
/// API, a few at a time side by side (PodDisruptionBudgets respected: a refused eviction is retried until
/// <see cref="ResetOptions.DrainTimeout"/>) and wait until they are gone. DaemonSet and static pods stay; a pod no controller manages is refused unless forced. On a Node that
/// is not Ready (its kubelet is not reporting: the host is down or unreachable) nothing can stop the evicted pods, so the drain
/// does not wait for them: they go with the Node (the cluster's garbage collector deletes the pods of a deleted Node). A Node
/// still Ready when planned (its host just went down) is read again while the drain waits, and the wait ends once it is not.
/// </summary>
internal sealed class DrainPhase(ResetOptions options) : IApiPhase
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    public string Name => "drain";

    public string Description => "Cordon each node and evict its pods (PodDisruptionBudgets respected; DaemonSet pods stay)";

    public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return options.SkipDrain ? [] : PhaseTarget.Of(config.Nodes);
    }

    public async Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(target);
        var name = target.Name;
        if (await context.Api.ReaderAsync(context, cancellationToken).ConfigureAwait(false) is not { } api)
        {
            return TargetPlan.Nothing($"would cordon and drain node {name} once the API answers");
        }

        return await PlanAsync(api, name, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The changes that cordon <paramref name="name"/> and evict its pods, or a refusal (pods no controller manages, unless forced).</summary>
    public static async Task<TargetPlan> PlanAsync(IClusterReader api, string name, ResetOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(options);
        var node = await api.NodeAsync(name, cancellationToken).ConfigureAwait(false);
        if (node is null)
        {
            return TargetPlan.Nothing($"node {name} is not registered");
        }

        var (evict, refusal) = DrainPolicy.Decide(name, await api.PodsOnNodeAsync(name, cancellationToken).ConfigureAwait(false), options.Force);
        if (refusal is not null)
        {
            return TargetPlan.Refuse(refusal);
        }

        var reporting = IsReady(node);
        var changes = new List<Change>();
        if (node.Spec?.Unschedulable != true)
        {
            changes.Add(Cordon(name, cordon: true));
        }

        changes.AddRange(evict.Select(pod => new Change
        {
            Host = name,
            Kind = ChangeKind.ApiDelete,
            Target = $"Pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}",
            Reason = reporting ? "evicted" : $"evicted; node {name} is not Ready, so its kubelet cannot stop the pod: not waited for",
            // Like kubectl drain: the pods stop side by side, so a drain takes about the longest grace period, not their sum.
            SideBySide = true,
            Apply = (apply, ct) => EvictAsync(apply, pod, options.DrainTimeout, waitUntilGone: reporting, ct),
        }));
        return TargetPlan.Of(changes);
    }

    /// <summary>Marks the Node unschedulable (cordon) or schedulable again.</summary>
    public static Change Cordon(string name, bool cordon) => new()
    {
        Host = name,
        Kind = ChangeKind.ApiUpdate,
        Target = $"Node {name}",
        To = cordon ? "unschedulable" : "schedulable",
        Reason = cordon ? "cordon" : "uncordon",
        Apply = async (apply, ct) =>
        {
            await (await apply.Run.Api.ClientAsync(apply, ct).ConfigureAwait(false)).CordonAsync(name, cordon, ct).ConfigureAwait(false);
            return [];
        },
    };

    /// <summary>Whether the Node's Ready condition is True (its kubelet reports).</summary>
    internal static bool IsReady(V1Node node) =>
        node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private static async Task<IReadOnlyList<string>> EvictAsync(ApplyContext apply, V1Pod pod, TimeSpan timeout, bool waitUntilGone, CancellationToken cancellationToken)
    {
        var client = await apply.Run.Api.ClientAsync(apply, cancellationToken).ConfigureAwait(false);
        using var wait = apply.Waiting.Begin();
        var deadline = apply.Time.GetUtcNow() + timeout;
        var what = $"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}";
        while (!await client.EvictAsync(pod, cancellationToken).ConfigureAwait(false))
        {
            if (apply.Time.GetUtcNow() >= deadline)
            {
                throw new PhaseFailedException($"pod {what} could not be evicted within {timeout.TotalMinutes:0} minutes: a PodDisruptionBudget keeps refusing it");
            }

            await wait.DelayAsync(PollInterval, cancellationToken).ConfigureAwait(false);
        }

        while (waitUntilGone && (await client.PodsOnNodeAsync(pod.Spec.NodeName, cancellationToken).ConfigureAwait(false)).Any(p => p.Metadata.Uid == pod.Metadata.Uid))
        {
            // A host that went down after the plan: its Node turns NotReady once the node controller's grace period passes.
            if (await client.NodeAsync(pod.Spec.NodeName, cancellationToken).ConfigureAwait(false) is not { } node || !IsReady(node))
            {
                return [$"node {pod.Spec.NodeName} is not Ready any more: pod {what} was evicted and goes with the Node, not waited for"];
            }

            if (apply.Time.GetUtcNow() >= deadline)
            {
                throw new PhaseFailedException($"pod {what} was evicted but is still on {pod.Spec.NodeName} after {timeout.TotalMinutes:0} minutes");
            }

            await wait.DelayAsync(PollInterval, cancellationToken).ConfigureAwait(false);
        }

        return [];
    }
}
