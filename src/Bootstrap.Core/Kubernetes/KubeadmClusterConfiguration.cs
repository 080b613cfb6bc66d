using System.Globalization;
using System.Text.Json.Nodes;
using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// The <c>kubeadm.k8s.io/v1beta2</c> documents kubeadm v1.20 keeps in the kubeadm-config ConfigMap,
/// built from the cluster file: a ClusterConfiguration (what <c>kubeadm join</c> and <c>kubeadm upgrade</c>
/// read) and a ClusterStatus listing every control-plane host's API endpoint.
/// </summary>
internal static class KubeadmClusterConfiguration
{
    public const string ApiVersion = "kubeadm.k8s.io/v1beta2";

    public static JsonObject ClusterConfiguration(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var apiServer = new JsonObject { ["timeoutForControlPlane"] = "4m0s" };
        if (config.ApiServer.CertSANs.Count > 0)
        {
            apiServer["certSANs"] = new JsonArray(config.ApiServer.CertSANs.Select(s => (JsonNode)s).ToArray());
        }

        return new JsonObject
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = "ClusterConfiguration",
            ["apiServer"] = apiServer,
            ["certificatesDir"] = NodeLayout.CertificatesDir,
            ["clusterName"] = config.Name,
            ["controlPlaneEndpoint"] = ClusterAddresses.ControlPlaneHostPort(config),
            ["controllerManager"] = new JsonObject(),
            ["dns"] = new JsonObject { ["type"] = "CoreDNS" },
            ["etcd"] = Etcd(config),
            ["imageRepository"] = config.ImageRepository,
            ["kubernetesVersion"] = config.KubernetesVersion.ToString(),
            ["networking"] = new JsonObject
            {
                ["dnsDomain"] = config.Networking.DnsDomain,
                ["podSubnet"] = config.Networking.PodSubnet.ToString(),
                ["serviceSubnet"] = config.Networking.ServiceSubnet.ToString(),
            },
            ["scheduler"] = new JsonObject(),
        };
    }

    public static JsonObject ClusterStatus(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var endpoints = new JsonObject();
        foreach (var host in config.ControlPlaneHosts)
        {
            endpoints[host.Name] = new JsonObject
            {
                ["advertiseAddress"] = host.Address.ToString(),
                ["bindPort"] = KubeadmLayout.ApiServerPort,
            };
        }

        return new JsonObject
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = "ClusterStatus",
            ["apiEndpoints"] = endpoints,
        };
    }

    // Stacked members are "local" to kubeadm; separate etcd hosts are "external" with the API server's client certificate.
    private static JsonObject Etcd(ClusterConfig config) => config.Etcd.Topology == EtcdTopology.Stacked
        ? new JsonObject { ["local"] = new JsonObject { ["dataDir"] = KubeadmLayout.EtcdDataDir } }
        : new JsonObject
        {
            ["external"] = new JsonObject
            {
                ["caFile"] = KubeadmLayout.EtcdCaCert,
                ["certFile"] = KubeadmLayout.ApiServerEtcdClientCert,
                ["endpoints"] = new JsonArray(config.EtcdMembers
                    .Select(m => (JsonNode)Endpoints.Url("https", m.Address, KubeadmLayout.EtcdClientPort)).ToArray()),
                ["keyFile"] = KubeadmLayout.ApiServerEtcdClientKey,
            },
        };

    /// <summary>The kubelet ConfigMap's name for this version, e.g. <c>kubelet-config-1.20</c>.</summary>
    public static string KubeletConfigMapName(KubernetesVersion version) =>
        string.Create(CultureInfo.InvariantCulture, $"{KubeadmObjectNames.KubeletConfigMapPrefix}{version.Major}.{version.Minor}");

    /// <summary>The Role and RoleBinding name for the kubelet ConfigMap, e.g. <c>kubeadm:kubelet-config-1.20</c>.</summary>
    public static string KubeletConfigRoleName(KubernetesVersion version) =>
        string.Create(CultureInfo.InvariantCulture, $"{KubeadmObjectNames.KubeletConfigRolePrefix}{version.Major}.{version.Minor}");
}
