namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// How often a phase that waits for the cluster looks at the API again: every 500 ms, kubeadm's own retry interval for API
/// calls (<c>APICallRetryInterval</c>). Each look is one small GET or LIST (no resourceVersion: a quorum read from etcd). Polled every
/// 2 s, a wait ended on average a second after what it waited for, and pod-network waits three times in a row on each node
/// (pod-network took 9.9 s instead of 11.0 s over 4 fresh inits of the lab each). kubelet-start keeps its own, slower
/// interval.
/// </summary>
internal static class ApiPolling
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);
}
