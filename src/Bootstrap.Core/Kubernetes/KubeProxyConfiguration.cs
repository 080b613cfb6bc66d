using System.Net.Sockets;
using System.Text.Json.Nodes;
using Bootstrap.Core.Config;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// kube-proxy's configuration file (<c>kubeproxy.config.k8s.io/v1alpha1</c>) as kubeadm v1.20 defaults it
/// (componentconfigs/kubeproxy.go): bind to every address of the hosts' family, the pod subnet as cluster
/// CIDR, the kubeconfig kubeadm's DaemonSet reads; plus the proxy mode from the cluster file.
/// </summary>
internal static class KubeProxyConfiguration
{
    public const string ApiVersion = "kubeproxy.config.k8s.io/v1alpha1";
    public const string Kind = "KubeProxyConfiguration";

    public static JsonObject Build(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var ipv6 = config.Networking.HostSubnet.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6;
        return new JsonObject
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = Kind,
            ["bindAddress"] = ipv6 ? "::" : "0.0.0.0",
            ["clientConnection"] = new JsonObject { ["kubeconfig"] = NodeLayout.KubeProxyKubeconfig },
            ["clusterCIDR"] = config.Networking.PodSubnet.ToString(),
            ["mode"] = Mode(config.KubeProxy.Mode),
        };
    }

    public static string ToYaml(ClusterConfig config) => YamlText.Write(Build(config));

    /// <summary>
    /// The configuration of one host's kube-proxy. Where the host cannot raise the kernel's conntrack
    /// table size (a container's network namespace, where net.netfilter.nf_conntrack_max is read-only),
    /// <c>conntrack.maxPerCore: 0</c> tells kube-proxy to leave it as it is; otherwise it exits at start.
    /// </summary>
    public static string ForHost(ClusterConfig config, bool canSetConntrackMax)
    {
        var built = Build(config);
        if (!canSetConntrackMax)
        {
            built["conntrack"] = new JsonObject { ["maxPerCore"] = 0 };
        }

        return YamlText.Write(built);
    }

    public static string Mode(KubeProxyMode mode) => mode switch
    {
        KubeProxyMode.Iptables => "iptables",
        KubeProxyMode.Ipvs => "ipvs",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown kube-proxy mode"),
    };
}
