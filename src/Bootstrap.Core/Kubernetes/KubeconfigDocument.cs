using System.Text.Json.Nodes;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// A kubeconfig of one cluster, one user and one context naming both, current: the layout kubeadm and the kubelet write, with
/// their fields in their order (apiVersion, kind, clusters, contexts, current-context, preferences, users).
/// </summary>
internal static class KubeconfigDocument
{
    /// <param name="cluster">The cluster's fields (server, the CA).</param>
    /// <param name="user">The user's credentials.</param>
    /// <param name="contextNamespace">The context's namespace; none when null.</param>
    /// <param name="preferences">Whether to write the empty preferences kubeadm and the kubelet write.</param>
    public static JsonObject Single(
        string clusterName, JsonObject cluster, string userName, JsonObject user, string contextName, string? contextNamespace = null, bool preferences = true)
    {
        var context = new JsonObject { ["cluster"] = clusterName };
        if (contextNamespace is not null)
        {
            context["namespace"] = contextNamespace;
        }

        context["user"] = userName;
        var document = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Config",
            ["clusters"] = new JsonArray(new JsonObject { ["cluster"] = cluster, ["name"] = clusterName }),
            ["contexts"] = new JsonArray(new JsonObject { ["context"] = context, ["name"] = contextName }),
            ["current-context"] = contextName,
        };
        if (preferences)
        {
            document["preferences"] = new JsonObject();
        }

        document["users"] = new JsonArray(new JsonObject { ["name"] = userName, ["user"] = user });
        return document;
    }
}
