using System.Net;
using System.Text.Json;
using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;

namespace Bootstrap.Core.Tests.Kubernetes;

public sealed class KubeletConfigurationTests
{
    private static readonly ClusterConfig Config = LabCluster.Load();

    [Fact]
    public void Kubelet_configuration_has_kubeadms_defaults_and_serving_certificates_by_csr()
    {
        var kubelet = KubeletConfiguration.Build(Config);

        Assert.Equal("kubelet.config.k8s.io/v1beta1", (string?)kubelet["apiVersion"]);
        Assert.Equal("KubeletConfiguration", (string?)kubelet["kind"]);
        Assert.Equal("10.96.0.10", (string?)kubelet["clusterDNS"]![0]);
        Assert.Equal("cluster.local", (string?)kubelet["clusterDomain"]);
        Assert.Equal("/etc/kubernetes/pki/ca.crt", (string?)kubelet["authentication"]!["x509"]!["clientCAFile"]);
        Assert.True((bool)kubelet["authentication"]!["webhook"]!["enabled"]!);
        Assert.False((bool)kubelet["authentication"]!["anonymous"]!["enabled"]!);
        Assert.Equal("Webhook", (string?)kubelet["authorization"]!["mode"]);
        Assert.True((bool)kubelet["rotateCertificates"]!);
        Assert.True((bool)kubelet["serverTLSBootstrap"]!);
        Assert.Equal("systemd", (string?)kubelet["cgroupDriver"]);
        Assert.Equal("/etc/kubernetes/manifests", (string?)kubelet["staticPodPath"]);
    }

    [Fact]
    public void The_kubelet_protects_kernel_defaults_unless_the_patch_turns_it_off()
    {
        using var patch = JsonDocument.Parse("""{"protectKernelDefaults":false}""");
        var patched = Config with { Kubelet = new KubeletSpec { ConfigPatch = patch.RootElement.Clone() } };

        Assert.True((bool)KubeletConfiguration.Build(Config)["protectKernelDefaults"]!);
        Assert.True(KubeletConfiguration.ProtectsKernelDefaults(Config));
        Assert.False(KubeletConfiguration.ProtectsKernelDefaults(patched));
    }

    [Theory]
    [InlineData("10.96.0.0/12", "10.96.0.10")]
    [InlineData("172.20.0.0/16", "172.20.0.10")]
    [InlineData("10.0.0.240/28", "10.0.0.250")]
    [InlineData("fd00:10:96::/108", "fd00:10:96::a")]
    public void Cluster_dns_is_the_tenth_address_of_the_service_subnet(string subnet, string dns)
    {
        var config = Config with { Networking = Config.Networking with { ServiceSubnet = IPNetwork.Parse(subnet) } };

        Assert.Equal(IPAddress.Parse(dns), ClusterAddresses.ClusterDns(config));
    }

    [Fact]
    public void A_service_subnet_without_a_tenth_address_is_refused()
    {
        var config = Config with { Networking = Config.Networking with { ServiceSubnet = IPNetwork.Parse("10.0.0.0/29") } };

        Assert.Throws<ArgumentOutOfRangeException>(() => ClusterAddresses.ClusterDns(config));
    }

    [Fact]
    public void The_config_patch_is_merged_deeply_over_the_generated_configuration()
    {
        using var patch = JsonDocument.Parse("""
            {"authentication":{"webhook":{"cacheTTL":"30s"}},"maxPods":50,"clusterDNS":["10.96.0.53"],"rotateCertificates":false}
            """);
        var config = Config with { Kubelet = new KubeletSpec { ConfigPatch = patch.RootElement.Clone() } };

        var kubelet = KubeletConfiguration.Build(config);

        Assert.Equal("30s", (string?)kubelet["authentication"]!["webhook"]!["cacheTTL"]);
        Assert.True((bool)kubelet["authentication"]!["webhook"]!["enabled"]!);
        Assert.Equal("/etc/kubernetes/pki/ca.crt", (string?)kubelet["authentication"]!["x509"]!["clientCAFile"]);
        Assert.Equal(50, (int)kubelet["maxPods"]!);
        Assert.Equal(["10.96.0.53"], kubelet["clusterDNS"]!.AsArray().Select(n => (string?)n));
        Assert.False((bool)kubelet["rotateCertificates"]!);
    }

    [Fact]
    public void Rendering_is_deterministic_and_sorted()
    {
        var yaml = KubeletConfiguration.ToYaml(Config);

        Assert.Equal(yaml, KubeletConfiguration.ToYaml(LabCluster.Load()));
        var topLevelKeys = yaml.Split('\n').Where(l => l.Length > 0 && l[0] != ' ' && l[0] != '-').Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)]).ToArray();
        Assert.Equal(topLevelKeys.Order(StringComparer.Ordinal), topLevelKeys);
    }

    [Theory]
    [InlineData(KubeProxyMode.Iptables, "iptables")]
    [InlineData(KubeProxyMode.Ipvs, "ipvs")]
    public void Kube_proxy_configuration_uses_the_pod_subnet_and_the_chosen_mode(KubeProxyMode mode, string written)
    {
        var config = Config with { KubeProxy = new KubeProxySpec { Mode = mode } };

        var proxy = KubeProxyConfiguration.Build(config);

        Assert.Equal("kubeproxy.config.k8s.io/v1alpha1", (string?)proxy["apiVersion"]);
        Assert.Equal("KubeProxyConfiguration", (string?)proxy["kind"]);
        Assert.Equal("10.244.0.0/16", (string?)proxy["clusterCIDR"]);
        Assert.Equal(written, (string?)proxy["mode"]);
        Assert.Equal("/var/lib/kube-proxy/kubeconfig.conf", (string?)proxy["clientConnection"]!["kubeconfig"]);
        Assert.Equal("0.0.0.0", (string?)proxy["bindAddress"]);
    }
}
