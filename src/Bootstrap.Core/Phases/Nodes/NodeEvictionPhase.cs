using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Workflow;
using k8s.Models;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary>
/// <c>node-eviction</c>, after the nodes joined and are Ready: on the Kubernetes releases whose node lifecycle
/// controller can stop tainting lost nodes (<see cref="NodeLifecycleDefect"/>), restarts the leading
/// kube-controller-manager when Nodes registered together after it took its lease (<see cref="Decide"/>). Such Nodes
/// leave stale entries in the leader's taint queue, after which no lost node is tainted <c>NoExecute</c> and no pod of
/// it is evicted until that controller manager restarts; a leader that starts with the Nodes registered and Ready has
/// none. Only the leader runs the controllers: a standby that loses or never wins the election has never run them (a
/// controller manager exits when it loses its lease), so the others are left alone. Once the leader's unit restarted,
/// its old process is gone and its lease is released on its behalf (<see cref="ClusterApi.ReleaseLeaseAsync"/>), so a
/// fresh process takes it within the election's retry period instead of after the 15 s lease runs out; when no
/// control-plane host's name matches the holder, every controller manager restarts in a roll. No target on other
/// releases; nothing to do once the leader started after the Nodes (a re-run changes nothing). Acts on the control
/// planes whichever hosts the run names: joining workers is what makes the restart needed (<see cref="IEveryHostPhase"/>).
/// </summary>
internal sealed class NodeEvictionPhase()
    : HostPhase("node-eviction", "Keep lost nodes' pods evicted: restart the leading controller manager once nodes joined, on Kubernetes releases whose node lifecycle controller then stops tainting lost nodes"),
      IEveryHostPhase
{
    /// <summary>The Lease the controller managers elect their leader with (kube-system).</summary>
    internal const string LeaseName = "kube-controller-manager";

    // A released lease is taken within the election's 2 s retry period; one left to run out lasts 15 s past its
    // holder's last renewal (kube-controller-manager's --leader-elect-retry-period and --leader-elect-lease-duration).
    private static readonly TimeSpan LeaderTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan PollInterval = ApiPolling.Interval;

    /// <summary>The control planes, on a release with the defect; none on others (a join then reaches only its nodes).</summary>
    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => NodeLifecycleDefect.Affects(config.KubernetesVersion) ? config.ControlPlaneHosts : [];

    protected override async Task<TargetPlan> PlanAsync(HostPlanning target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var (context, config, host) = (target.Context, target.Config, target.Host);
        if (await context.Api.ReaderAsync(context, cancellationToken).ConfigureAwait(false) is not { } api)
        {
            return TargetPlan.Nothing($"would restart kube-controller-manager on {host.Name} if it leads when nodes join in this run ({NodeLifecycleDefect.Summary(config.KubernetesVersion)}); decided once the API answers");
        }

        var lease = await api.LeaseAsync(LeaseName, "kube-system", cancellationToken).ConfigureAwait(false);
        var nodes = await api.NodesAsync(cancellationToken).ConfigureAwait(false);
        var joining = context.DryRun ? config.Nodes.Select(n => n.Name).Where(n => nodes.All(node => node.Metadata.Name != n)).ToList() : [];
        var decision = Decide(lease, nodes, joining);
        if (decision is null)
        {
            return TargetPlan.Nothing(lease?.Spec?.AcquireTime is { } since
                ? $"the leading controller manager took its lease at {since:u}; no two Nodes registered since"
                : "no controller manager holds its lease yet: the one that takes it will see the Nodes as they are");
        }

        var holder = HoldsLease(lease, host.Name);
        var leaderKnown = config.ControlPlaneHosts.Any(h => HoldsLease(lease, h.Name));
        if (leaderKnown && !holder)
        {
            return TargetPlan.Nothing($"{decision}; the leader is {lease?.Spec?.HolderIdentity}: this controller manager never ran the controllers since it started (one that loses the election exits), only the leader restarts");
        }

        var restart = await ServiceControl.PlanRestartAsync(
            target.View, ServiceCatalog.ControllerManager(), $"{decision}: {NodeLifecycleDefect.Summary(config.KubernetesVersion)}", cancellationToken).ConfigureAwait(false);
        var leader = holder ? lease!.Spec.HolderIdentity : null;
        return new TargetPlan
        {
            Changes = [restart],
            Rolling = ServiceControl.Restarts([restart]),

            // A re-run right after must find the new leader, not the lease the old one left.
            VerifyDescription = leader is not null ? $"would release the lease of {leader} and wait for a controller manager to take it after every Node registered" : null,
            Verify = leader is not null && !context.DryRun ? (apply, ct) => WaitForNewLeaderAsync(apply, leader, ct) : null,
        };
    }

    private static async Task<IReadOnlyList<string>> WaitForNewLeaderAsync(ApplyContext apply, string leader, CancellationToken cancellationToken)
    {
        var api = await apply.Run.Api.ClientAsync(apply, cancellationToken).ConfigureAwait(false);
        var released = await api.ReleaseLeaseAsync(LeaseName, "kube-system", leader, apply.Time.GetUtcNow().UtcDateTime, cancellationToken).ConfigureAwait(false);
        using var wait = apply.Waiting.Begin();
        var deadline = apply.Time.GetUtcNow() + LeaderTimeout;
        while (true)
        {
            var lease = await api.LeaseAsync(LeaseName, "kube-system", cancellationToken).ConfigureAwait(false);
            // A new process holds it (not the old holder, not the released record) since after every Node registered.
            if (lease?.Spec is { HolderIdentity: { Length: > 0 } holder, AcquireTime: { } since } && holder != leader && Decide(lease, await api.NodesAsync(cancellationToken).ConfigureAwait(false), []) is null)
            {
                return [$"{(released ? $"released the lease of {leader}; " : string.Empty)}{lease.Spec.HolderIdentity} leads the controller managers since {since:u}"];
            }

            if (apply.Time.GetUtcNow() >= deadline)
            {
                throw new PhaseFailedException(
                    $"no controller manager took the lease {LeaseName} within {LeaderTimeout.TotalMinutes:0} minutes of the restarts (held by {(lease?.Spec?.HolderIdentity is { Length: > 0 } now ? now : "nobody")} since {lease?.Spec?.AcquireTime:u})");
            }

            await wait.DelayAsync(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Why the controller managers restart, or null when they need not: Nodes registered after the leader took its lease
    /// (in a dry run, also the nodes of the file still to join), at least two of them or every Node. A Node that
    /// registers alone while the others are Ready is tainted at once and leaves no stale entry; entries stay behind
    /// when Nodes are NotReady together, or while every Node is (the leader then pauses evictions: a cluster's first
    /// Nodes). Pure.
    /// </summary>
    internal static string? Decide(V1Lease? lease, IReadOnlyList<V1Node> nodes, IReadOnlyList<string> joining)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(joining);
        var acquired = lease?.Spec?.AcquireTime;
        var later = acquired is { } since
            ? nodes.Where(n => n.Metadata.CreationTimestamp > since).Select(n => n.Metadata.Name).Order(StringComparer.Ordinal).ToList()
            : [];
        var fresh = later.Count + joining.Count;
        if (fresh == 0 || (fresh == 1 && nodes.Count + joining.Count > 1))
        {
            return null;
        }

        var reasons = new List<string>();
        if (later.Count > 0)
        {
            reasons.Add($"Node {string.Join(", ", later)} registered after the leading controller manager took its lease ({acquired:u})");
        }

        if (joining.Count > 0)
        {
            reasons.Add($"{string.Join(", ", joining)} join in this run");
        }

        return string.Join("; ", reasons);
    }

    /// <summary>Whether the lease's holder is <paramref name="host"/>'s controller manager (its identity is "HOSTNAME_UUID").</summary>
    internal static bool HoldsLease(V1Lease? lease, string host) =>
        lease?.Spec?.HolderIdentity is { } holder && holder.StartsWith(host + "_", StringComparison.Ordinal);
}
