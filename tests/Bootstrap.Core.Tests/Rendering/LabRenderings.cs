using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Etcd;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.LoadBalancer;
using Bootstrap.Core.Pki;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Rendering;

namespace Bootstrap.Core.Tests.Rendering;

/// <summary>
/// Every embedded template rendered from examples/lab-cluster.yaml, by golden-file name. Secrets are
/// fixed test values (an encryption key of bytes 0..31, a VRRP password "labvrrp1", placeholder PEM
/// blocks in the kubeconfig).
/// </summary>
internal static class LabRenderings
{
    public const string VrrpPassword = "labvrrp1";

    public static byte[] EncryptionKey => Enumerable.Range(0, ApiServerConfigFiles.EncryptionKeyLength).Select(i => (byte)i).ToArray();

    /// <summary>cp1's kubelet.conf shape, with placeholder PEM blocks instead of real credentials.</summary>
    public static KubeconfigFile Cp1Kubeconfig { get; } = new(
        "kubernetes",
        "https://10.0.0.10:6443",
        "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n",
        "system:node:cp1",
        "-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n",
        "-----BEGIN EC PRIVATE KEY-----\nKEY\n-----END EC PRIVATE KEY-----\n");

    /// <summary>Backups every six hours, the newest 12 kept, in the default directory.</summary>
    public static EtcdBackupSpec Backup { get; } = new() { Schedule = "*-*-* 00/6:00:00", Keep = 12 };

    /// <summary>The lab's Nodes as the controller manager might have allocated them (in registration order, not file order).</summary>
    public static IReadOnlyList<NodeNetwork> LabNodes { get; } =
    [
        new("cp1", System.Net.IPNetwork.Parse("10.244.0.0/24"), System.Net.IPAddress.Parse("192.168.56.21")),
        new("cp2", System.Net.IPNetwork.Parse("10.244.2.0/24"), System.Net.IPAddress.Parse("192.168.56.22")),
        new("cp3", System.Net.IPNetwork.Parse("10.244.1.0/24"), System.Net.IPAddress.Parse("192.168.56.23")),
        new("w1", System.Net.IPNetwork.Parse("10.244.3.0/24"), System.Net.IPAddress.Parse("192.168.56.31")),
        new("w2", System.Net.IPNetwork.Parse("10.244.4.0/24"), System.Net.IPAddress.Parse("192.168.56.32")),
    ];

    public static IReadOnlyDictionary<string, Func<string>> All()
    {
        var config = LabCluster.Load();
        var renderer = new TemplateRenderer();
        var units = new ControlPlaneUnits(renderer);
        var loadBalancers = new LoadBalancerFiles(renderer);
        var apiServerFiles = new ApiServerConfigFiles(renderer);
        var cp1 = config.Host("cp1");
        var w1 = config.Host("w1");
        var nodeFiles = new NodeFiles(renderer);

        return new Dictionary<string, Func<string>>(StringComparer.Ordinal)
        {
            ["cp1-etcd.service"] = () => units.Etcd(config, cp1, EtcdClusterState.New),
            ["cp1-etcd-backup.sh"] = () => new EtcdBackupFiles(renderer).Render(config, cp1, Backup).Script,
            ["cp1-etcd-backup.service"] = () => new EtcdBackupFiles(renderer).Render(config, cp1, Backup).Service,
            ["cp1-etcd-backup.timer"] = () => new EtcdBackupFiles(renderer).Render(config, cp1, Backup).Timer,
            ["cp1-kube-apiserver.service"] = () => units.ApiServer(config, cp1, ApiServerFlagOptions.For(config)),
            ["cp1-kube-controller-manager.service"] = () => units.ControllerManager(config, cp1),
            ["cp1-kube-scheduler.service"] = () => units.Scheduler(config, cp1),
            ["haproxy.cfg"] = () => loadBalancers.Haproxy(config),
            ["lb1-keepalived.conf"] = () => loadBalancers.Keepalived(config, config.Host("lb1"), "eth0", VrrpPassword),
            ["lb2-keepalived.conf"] = () => loadBalancers.Keepalived(config, config.Host("lb2"), "eth0", VrrpPassword),
            ["audit-policy.yaml"] = () => apiServerFiles.AuditPolicy(config),
            ["encryption-config.yaml"] = () => apiServerFiles.EncryptionConfig(config, [new EncryptionKey("key1", EncryptionKey)]),
            ["cp1-kubeconfig"] = () => System.Text.Encoding.UTF8.GetString(Cp1Kubeconfig.Render()),
            ["cp1-kubelet.service"] = () => nodeFiles.KubeletUnit(config, cp1, amazonEc2: false),
            ["w1-kubelet.service"] = () => nodeFiles.KubeletUnit(config, w1, amazonEc2: false),
            ["w1-kube-proxy.service"] = () => nodeFiles.KubeProxyUnit(config, w1),
            ["containerd-config.toml"] = () => nodeFiles.ContainerdConfig(config),
            ["w1-cni-bridge.conflist"] = () => nodeFiles.CniConflist(config, System.Net.IPNetwork.Parse("10.244.3.0/24")),
            ["w1-bootstrap-pod-network.service"] = () => nodeFiles.PodNetworkUnit(config, w1, PodRoutes.For(config, "w1", LabNodes).Routes),
            ["coredns-Corefile"] = () => renderer.Render("coredns-Corefile.sbn", new { DnsDomain = config.Networking.DnsDomain }),
            ["kubelet-config.yaml"] = () => KubeletConfiguration.ToYaml(config),
            ["kubelet-sysctl.conf"] = () => nodeFiles.KubeletSysctl(config),
            ["kube-proxy-config.conf"] = () => KubeProxyConfiguration.ToYaml(config),
            ["kubeadm-cluster-configuration.yaml"] = () => YamlText.Write(KubeadmClusterConfiguration.ClusterConfiguration(config)),
            ["kubeadm-cluster-status.yaml"] = () => YamlText.Write(KubeadmClusterConfiguration.ClusterStatus(config)),
            ["command-batch.sh"] = () => CommandBatch.Script,
        };
    }
}
