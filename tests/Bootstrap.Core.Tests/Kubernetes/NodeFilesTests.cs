using System.Net;
using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Rendering;

namespace Bootstrap.Core.Tests.Kubernetes;

public sealed class NodeFilesTests
{
    private static readonly ClusterConfig Config = LabCluster.Load();

    [Fact]
    public void Kubelet_flags_are_kubeadms_for_a_cri_runtime_with_the_nodes_name_and_address()
    {
        Assert.Equal(
            [
                "--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf",
                "--config=/var/lib/kubelet/config.yaml",
                "--container-runtime=remote",
                "--container-runtime-endpoint=unix:///run/containerd/containerd.sock",
                "--hostname-override=w1",
                "--kubeconfig=/etc/kubernetes/kubelet.conf",
                "--node-ip=192.168.56.31",
            ],
            KubeletFlags.Build(Config, Config.Host("w1")));
    }

    [Fact]
    public void Control_plane_kubelets_register_with_kubeadms_taint() =>
        Assert.Contains("--register-with-taints=node-role.kubernetes.io/master:NoSchedule", KubeletFlags.Build(Config, Config.Host("cp1")));

    [Fact]
    public void Load_balancers_get_no_kubelet_or_kube_proxy()
    {
        var files = new NodeFiles(new TemplateRenderer());

        Assert.Throws<ArgumentException>(() => files.KubeletUnit(Config, Config.Host("lb1")));
        Assert.Throws<ArgumentException>(() => files.KubeProxyUnit(Config, Config.Host("lb1")));
    }

    [Theory]
    [InlineData("cp1", "10.244.0.0/24")]
    [InlineData("cp3", "10.244.2.0/24")]
    [InlineData("w1", "10.244.3.0/24")]
    [InlineData("w2", "10.244.4.0/24")]
    public void Nodes_get_consecutive_slices_of_the_pod_subnet_in_file_order(string host, string cidr) =>
        Assert.Equal(IPNetwork.Parse(cidr), PodCidrs.ForHost(Config, Config.Host(host)));

    [Fact]
    public void A_pod_subnet_smaller_than_a_node_slice_serves_only_the_first_node()
    {
        var config = Config with { Networking = Config.Networking with { PodSubnet = IPNetwork.Parse("10.244.0.0/26") } };

        Assert.Equal(IPNetwork.Parse("10.244.0.0/26"), PodCidrs.ForHost(config, config.Host("cp1")));
        Assert.Throws<InvalidOperationException>(() => PodCidrs.ForHost(config, config.Host("cp2")));
    }

    [Fact]
    public void Ipv6_nodes_get_slash_64_slices()
    {
        var config = Config with { Networking = Config.Networking with { PodSubnet = IPNetwork.Parse("fd00:244::/56") } };

        Assert.Equal(IPNetwork.Parse("fd00:244:0:4::/64"), PodCidrs.ForHost(config, config.Host("w2")));
    }

    [Fact]
    public void Too_small_a_pod_subnet_for_every_node_is_refused()
    {
        var config = Config with { Networking = Config.Networking with { PodSubnet = IPNetwork.Parse("10.244.0.0/23") } };

        var error = Assert.Throws<InvalidOperationException>(() => PodCidrs.ForHost(config, config.Host("w1")));
        Assert.Contains("node number 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pod_cidr_for_a_load_balancer_is_refused() =>
        Assert.Throws<ArgumentException>(() => PodCidrs.ForHost(Config, Config.Host("lb1")));
}
