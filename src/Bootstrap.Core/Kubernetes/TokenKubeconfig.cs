using System.Text;
using System.Text.Json.Nodes;
using Bootstrap.Core.Config;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// A kubeconfig that authenticates with a bearer token, with the cluster CA embedded, in the layout
/// kubeadm writes bootstrap-kubelet.conf in (one cluster named after the cluster, one user, one context).
/// Used for a kubelet's bootstrap token and kube-proxy's service-account token. The result holds a credential.
/// </summary>
internal static class TokenKubeconfig
{
    public static string Build(ClusterConfig config, string caCertificatePem, string userName, string token)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrEmpty(caCertificatePem);
        ArgumentException.ThrowIfNullOrEmpty(userName);
        ArgumentException.ThrowIfNullOrEmpty(token);
        var context = $"{userName}@{config.Name}";
        return YamlText.Write(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Config",
            ["clusters"] = new JsonArray(new JsonObject
            {
                ["cluster"] = new JsonObject
                {
                    ["certificate-authority-data"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(caCertificatePem)),
                    ["server"] = ClusterAddresses.ApiServerUrl(config),
                },
                ["name"] = config.Name,
            }),
            ["contexts"] = new JsonArray(new JsonObject
            {
                ["context"] = new JsonObject { ["cluster"] = config.Name, ["user"] = userName },
                ["name"] = context,
            }),
            ["current-context"] = context,
            ["preferences"] = new JsonObject(),
            ["users"] = new JsonArray(new JsonObject
            {
                ["name"] = userName,
                ["user"] = new JsonObject { ["token"] = token },
            }),
        });
    }
}
