using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// Whether an object on the server already is what Bootstrap wants: every top-level field the wanted
/// object sets (rules, roleRef, subjects …) is equal on the server, and so is each label it sets. Of a
/// ConfigMap's data only the keys Bootstrap sets count: the bootstrap signer adds a
/// <c>jws-kubeconfig-&lt;id&gt;</c> key to cluster-info for every signing token, and that is no difference.
/// Fields only the server fills in (resourceVersion, a ServiceAccount's secrets, managedFields) are not
/// compared, so an object written once compares equal on every later run. A <c>spec</c> (Deployments, Services)
/// matches when every field Bootstrap sets is so on the server: the server defaults many others (a Service's
/// clusterIPs, a pod template's restartPolicy …), which are no difference.
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

            var same = key == "data" && value is JsonObject wantedData && have[key] is JsonObject existingData
                ? wantedData.All(entry => JsonNode.DeepEquals(entry.Value, existingData[entry.Key]))
                : key == "spec" ? Contains(have[key], value)
                : JsonNode.DeepEquals(value, have[key]);
            if (!same)
            {
                return false;
            }
        }

        var existingLabels = existing.Metadata?.Labels ?? new Dictionary<string, string>();
        return (wanted.Metadata?.Labels ?? new Dictionary<string, string>())
            .All(l => existingLabels.TryGetValue(l.Key, out var v) && v == l.Value);
    }

    /// <summary>
    /// Whether <paramref name="existing"/> has every field of <paramref name="wanted"/> with its value: objects field by
    /// field (extra fields allowed), lists item by item with the same length, anything else equal.
    /// </summary>
    public static bool Contains(JsonNode? existing, JsonNode? wanted) => (existing, wanted) switch
    {
        (_, null) => true,
        (JsonObject have, JsonObject want) => want.All(field => Contains(have[field.Key], field.Value)),
        (JsonArray have, JsonArray want) => have.Count == want.Count && want.Select((item, i) => Contains(have[i], item)).All(x => x),
        _ => JsonNode.DeepEquals(existing, wanted),
    };

    /// <summary>e.g. <c>ConfigMap kube-system/kubeadm-config</c>, <c>ClusterRole kubeadm:get-nodes</c>.</summary>
    public static string Describe(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var ns = obj.Metadata.NamespaceProperty;
        return $"{obj.Kind} {(string.IsNullOrEmpty(ns) ? string.Empty : ns + "/")}{obj.Metadata.Name}";
    }
}
