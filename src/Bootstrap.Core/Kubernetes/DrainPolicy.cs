using k8s.Models;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// Which pods a drain evicts, as <c>kubectl drain --ignore-daemonsets --delete-emptydir-data</c> decides it: DaemonSet pods
/// and mirror (static) pods stay (their controllers would recreate them on the node anyway), finished pods need no
/// eviction, and a pod no controller manages would be lost for good, so it is refused unless forced.
/// </summary>
internal static class DrainPolicy
{
    public const string MirrorAnnotation = "kubernetes.io/config.mirror";

    /// <summary>The pods to evict, and the reason the drain is refused (null when it may go on).</summary>
    public static (IReadOnlyList<V1Pod> Evict, string? Refusal) Decide(string node, IReadOnlyList<V1Pod> pods, bool force)
    {
        ArgumentNullException.ThrowIfNull(pods);
        var evict = new List<V1Pod>();
        var unmanaged = new List<string>();
        foreach (var pod in pods)
        {
            if (pod.Status?.Phase is "Succeeded" or "Failed"
                || pod.Metadata?.Annotations?.ContainsKey(MirrorAnnotation) == true
                || pod.Metadata?.OwnerReferences?.Any(o => o.Kind == "DaemonSet") == true)
            {
                continue;
            }

            if (pod.Metadata?.OwnerReferences is not { Count: > 0 })
            {
                unmanaged.Add($"{pod.Metadata?.NamespaceProperty}/{pod.Metadata?.Name}");
                if (!force)
                {
                    continue;
                }
            }

            evict.Add(pod);
        }

        return unmanaged.Count > 0 && !force
            ? (evict, $"node {node} runs pods no controller manages ({string.Join(", ", unmanaged)}): they would be lost; delete them, or drain with --force")
            : (evict, null);
    }
}
