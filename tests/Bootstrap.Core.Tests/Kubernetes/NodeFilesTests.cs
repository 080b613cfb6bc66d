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
                "--pod-infra-container-image=k8s.gcr.io/pause:3.2",
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

        Assert.Throws<ArgumentException>(() => files.KubeletUnit(Config, Config.Host("lb1"), amazonEc2: false));
        Assert.Throws<ArgumentException>(() => files.KubeProxyUnit(Config, Config.Host("lb1")));
    }

    [Fact]
    public void The_bridge_network_hands_out_the_range_it_is_given_and_masquerades_nothing_itself()
    {
        var conflist = new NodeFiles(new TemplateRenderer()).CniConflist(Config, IPNetwork.Parse("10.244.7.0/24"));

        Assert.Contains("\"subnet\": \"10.244.7.0/24\"", conflist, StringComparison.Ordinal);
        Assert.Contains("\"ipMasq\": false", conflist, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ipv6_bridge_network_routes_the_ipv6_default()
    {
        var conflist = new NodeFiles(new TemplateRenderer()).CniConflist(Config, IPNetwork.Parse("fd00:244:0:4::/64"));

        Assert.Contains("\"dst\": \"::/0\"", conflist, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sandbox_image_follows_the_image_repository_in_containerd_and_the_kubelet()
    {
        var config = Config with { ImageRepository = "registry.example.com:5000/k8s" };

        Assert.Contains("sandbox_image = \"registry.example.com:5000/k8s/pause:3.2\"", new NodeFiles(new TemplateRenderer()).ContainerdConfig(config), StringComparison.Ordinal);
        Assert.Contains("--pod-infra-container-image=registry.example.com:5000/k8s/pause:3.2", KubeletFlags.Build(config, config.Host("w1")));
    }

    [Fact]
    public void A_kubelet_off_ec2_skips_the_instance_metadata_lookup_and_one_on_ec2_keeps_it()
    {
        var files = new NodeFiles(new TemplateRenderer());
        var line = "Environment=" + InstanceMetadata.DisableLookup + "\n";

        var off = files.KubeletUnit(Config, Config.Host("w1"), amazonEc2: false);
        var on = files.KubeletUnit(Config, Config.Host("w1"), amazonEc2: true);

        Assert.Contains(line, off, StringComparison.Ordinal);
        Assert.True(off.IndexOf(line, StringComparison.Ordinal) < off.IndexOf("ExecStart=", StringComparison.Ordinal), "the setting is in [Service], before ExecStart");
        Assert.DoesNotContain("AWS_", on, StringComparison.Ordinal);
        Assert.DoesNotContain("EC2 instance", on, StringComparison.Ordinal);
    }
}
