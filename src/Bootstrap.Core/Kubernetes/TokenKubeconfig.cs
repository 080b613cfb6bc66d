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
        var cluster = new JsonObject
        {
            ["certificate-authority-data"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(caCertificatePem)),
            ["server"] = ClusterAddresses.ApiServerUrl(config),
        };
        return YamlText.Write(KubeconfigDocument.Single(config.Name, cluster, userName, new JsonObject { ["token"] = token }, $"{userName}@{config.Name}"));
    }
}
