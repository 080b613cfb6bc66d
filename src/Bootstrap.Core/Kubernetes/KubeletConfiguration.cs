using System.Text.Json.Nodes;
using Bootstrap.Core.Config;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// The kubelet's configuration file (<c>kubelet.config.k8s.io/v1beta1</c>), the same for every node:
/// the settings kubeadm v1.20 defaults (componentconfigs/kubelet.go) plus serving certificates
/// requested by CSR, the systemd cgroup driver and <c>protectKernelDefaults</c> (CIS 4.2.6: the kubelet
/// checks <see cref="KernelTunables"/> instead of changing the kernel; Bootstrap prepares them), with
/// <see cref="KubeletSpec.ConfigPatch"/> merged over it.
/// It goes to <see cref="NodeLayout.KubeletConfig"/> and into the kubelet-config-1.20 ConfigMap.
/// </summary>
internal static class KubeletConfiguration
{
    public const string ApiVersion = "kubelet.config.k8s.io/v1beta1";
    public const string Kind = "KubeletConfiguration";

    public static JsonObject Build(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var generated = new JsonObject
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = Kind,
            ["authentication"] = new JsonObject
            {
                ["anonymous"] = new JsonObject { ["enabled"] = false },
                ["webhook"] = new JsonObject { ["enabled"] = true },
                ["x509"] = new JsonObject { ["clientCAFile"] = NodeLayout.CaCert },
            },
            ["authorization"] = new JsonObject { ["mode"] = "Webhook" },
            ["cgroupDriver"] = "systemd",
            ["clusterDNS"] = new JsonArray(ClusterAddresses.ClusterDns(config).ToString()),
            ["clusterDomain"] = config.Networking.DnsDomain,
            ["healthzBindAddress"] = "127.0.0.1",
            ["healthzPort"] = 10248,
            ["protectKernelDefaults"] = true,
            ["readOnlyPort"] = 0,
            ["rotateCertificates"] = true,
            ["serverTLSBootstrap"] = true,
            ["staticPodPath"] = NodeLayout.StaticPodDir,
        };

        return config.Kubelet.ConfigPatch is { } patch ? JsonMerge.Apply(generated, patch) : generated;
    }

    /// <summary>Whether the kubelets run with <c>protectKernelDefaults</c> (a configPatch may turn it off), so the kernel must already have <see cref="KernelTunables.Required"/>.</summary>
    public static bool ProtectsKernelDefaults(ClusterConfig config) => IsTrue(config, "protectKernelDefaults");

    /// <summary>Whether the kubelets request serving certificates from the cluster CA (<c>serverTLSBootstrap</c>; a configPatch may turn it off).</summary>
    public static bool RequestsServingCertificates(ClusterConfig config) => IsTrue(config, "serverTLSBootstrap");

    public static string ToYaml(ClusterConfig config) => YamlText.Write(Build(config));

    private static bool IsTrue(ClusterConfig config, string field) =>
        Build(config)[field] is JsonValue value && value.TryGetValue<bool>(out var on) && on;
}
