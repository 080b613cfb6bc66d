using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// Whether an object on the server already is what Bootstrap wants: every top-level field the wanted
/// object sets (data, rules, roleRef, subjects …) is equal on the server, and so is each label it sets.
/// Fields only the server fills in (resourceVersion, a ServiceAccount's secrets, managedFields) are not
/// compared, so an object written once compares equal on every later run.
/// </summary>
internal static class ObjectComparison
{
    private static readonly string[] Envelope = ["apiVersion", "kind", "metadata"];

    public static bool Matches(IKubernetesObject<V1ObjectMeta> wanted, IKubernetesObject<V1ObjectMeta> existing)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        ArgumentNullException.ThrowIfNull(existing);
        var want = JsonNode.Parse(KubernetesJson.Serialize(wanted))!.AsObject();
        var have = JsonNode.Parse(KubernetesJson.Serialize(existing))!.AsObject();
        foreach (var (key, value) in want)
        {
            if (Envelope.Contains(key, StringComparer.Ordinal))
            {
                continue;
            }

            if (!JsonNode.DeepEquals(value, have[key]))
            {
                return false;
            }
        }

        var existingLabels = existing.Metadata?.Labels ?? new Dictionary<string, string>();
        return (wanted.Metadata?.Labels ?? new Dictionary<string, string>())
            .All(l => existingLabels.TryGetValue(l.Key, out var v) && v == l.Value);
    }

    /// <summary>e.g. <c>ConfigMap kube-system/kubeadm-config</c>, <c>ClusterRole kubeadm:get-nodes</c>.</summary>
    public static string Describe(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var ns = obj.Metadata.NamespaceProperty;
        return $"{obj.Kind} {(string.IsNullOrEmpty(ns) ? string.Empty : ns + "/")}{obj.Metadata.Name}";
    }
}
