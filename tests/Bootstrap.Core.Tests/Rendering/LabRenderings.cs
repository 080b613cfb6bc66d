using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.LoadBalancer;
using Bootstrap.Core.Rendering;

namespace Bootstrap.Core.Tests.Rendering;

/// <summary>
/// Every embedded template rendered from examples/lab-cluster.yaml, by golden-file name. Secrets are
/// fixed test values (an encryption key of bytes 0..31, a VRRP password "labvrrp1").
/// </summary>
internal static class LabRenderings
{
    public const string VrrpPassword = "labvrrp1";

    public static byte[] EncryptionKey => Enumerable.Range(0, ApiServerConfigFiles.EncryptionKeyLength).Select(i => (byte)i).ToArray();

    public static IReadOnlyDictionary<string, Func<string>> All()
    {
        var config = LabCluster.Load();
        var renderer = new TemplateRenderer();
        var units = new ControlPlaneUnits(renderer);
        var loadBalancers = new LoadBalancerFiles(renderer);
        var apiServerFiles = new ApiServerConfigFiles(renderer);
        var cp1 = config.Host("cp1");

        return new Dictionary<string, Func<string>>(StringComparer.Ordinal)
        {
            ["cp1-etcd.service"] = () => units.Etcd(config, cp1, EtcdClusterState.New),
            ["cp1-kube-apiserver.service"] = () => units.ApiServer(config, cp1, ApiServerFlagOptions.Default),
            ["cp1-kube-controller-manager.service"] = () => units.ControllerManager(config, cp1),
            ["cp1-kube-scheduler.service"] = () => units.Scheduler(config, cp1),
            ["haproxy.cfg"] = () => loadBalancers.Haproxy(config),
            ["lb1-keepalived.conf"] = () => loadBalancers.Keepalived(config, config.Host("lb1"), "eth0", VrrpPassword),
            ["lb2-keepalived.conf"] = () => loadBalancers.Keepalived(config, config.Host("lb2"), "eth0", VrrpPassword),
            ["audit-policy.yaml"] = () => apiServerFiles.AuditPolicy(config),
            ["encryption-config.yaml"] = () => apiServerFiles.EncryptionConfig(config, "key1", EncryptionKey),
        };
    }
}
