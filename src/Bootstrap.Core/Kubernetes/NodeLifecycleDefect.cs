using Bootstrap.Core.Config;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// kubernetes/kubernetes#94183: kube-controller-manager's node lifecycle controller re-queues a NotReady Node for its
/// <c>NoExecute</c> taint by dropping it from the queue's set but not from the queue, so Nodes that are NotReady together
/// (a batch joining, or any while evictions are paused) leave entries that the queue can never remove; the oldest sits
/// at its head, takes every token of the rate limiter, and no lost Node is ever tainted again: pods with a
/// <c>tolerationSeconds</c> for <c>node.kubernetes.io/unreachable</c> are never evicted. Fixed by #96876, in v1.20.5
/// (#98168) and v1.21.0; Bootstrap supports v1.20 and later.
/// </summary>
internal static class NodeLifecycleDefect
{
    private static readonly KubernetesVersion FixedIn = new(1, 20, 5);

    public static bool Affects(KubernetesVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return version is { Major: 1, Minor: 20 } && version < FixedIn;
    }

    public static string Summary(KubernetesVersion version) =>
        $"the node lifecycle controller of Kubernetes {version} stops tainting lost nodes after nodes register together until it restarts (kubernetes/kubernetes#94183, fixed in {FixedIn})";
}
