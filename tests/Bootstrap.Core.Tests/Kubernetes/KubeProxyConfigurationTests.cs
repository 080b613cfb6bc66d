using Bootstrap.Core.Kubernetes;

namespace Bootstrap.Core.Tests.Kubernetes;

public sealed class KubeProxyConfigurationTests
{
    [Fact]
    public void A_host_that_can_set_the_conntrack_limit_gets_the_cluster_wide_configuration()
    {
        var config = LabCluster.Load();

        Assert.Equal(KubeProxyConfiguration.ToYaml(config), KubeProxyConfiguration.ForHost(config, canSetConntrackMax: true));
    }

    [Fact]
    public void A_host_that_cannot_set_the_conntrack_limit_tells_kube_proxy_to_leave_it()
    {
        var yaml = KubeProxyConfiguration.ForHost(LabCluster.Load(), canSetConntrackMax: false);

        Assert.Contains("conntrack:\n  maxPerCore: 0\n", yaml, StringComparison.Ordinal);
        Assert.Contains("kubeconfig: /var/lib/kube-proxy/kubeconfig.conf", yaml, StringComparison.Ordinal);
    }
}
