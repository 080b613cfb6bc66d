using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Phases.Artifacts;
using Bootstrap.Core.Phases.Nodes;

namespace Bootstrap.Core.Tests.Kubernetes;

public sealed class ClusterNodesTests
{
    private static readonly ClusterConfig Config = LabCluster.Load();

    [Fact]
    public void Control_plane_hosts_and_workers_are_nodes_load_balancers_are_not()
    {
        Assert.Equal(["cp1", "cp2", "cp3", "w1", "w2"], Config.Nodes.Select(h => h.Name));
        Assert.False(Config.IsNode(Config.Host("lb1")));
    }

    [Fact]
    public void Control_plane_hosts_are_not_nodes_when_they_run_no_kubelet_and_nothing_treats_them_as_nodes()
    {
        var config = Config with { ControlPlane = new ControlPlaneSpec { RunKubelet = false } };

        Assert.Equal(["w1", "w2"], config.Nodes.Select(h => h.Name));
        Assert.DoesNotContain("kubelet", InstallFiles.BinariesFor(config, config.Host("cp1")));
        Assert.DoesNotContain(ServiceCatalog.On(config, config.Host("cp1")), s => s.Component == "kubelet");
        Assert.Throws<ArgumentException>(() => KubeletFlags.Build(config, config.Host("cp1")));
        Assert.Equal(["w1", "w2"], new PodNetworkPhase().Targets(config).Select(t => t.Name));
    }

    [Fact]
    public void Workers_get_the_kubelet_and_kube_proxy_binaries_and_nothing_of_the_control_plane()
    {
        Assert.Equal(["kubelet", "kube-proxy"], InstallFiles.BinariesFor(Config, Config.Host("w1")));
        Assert.Contains("kubelet", InstallFiles.BinariesFor(Config, Config.Host("cp1")));
        Assert.Contains("kube-apiserver", InstallFiles.BinariesFor(Config, Config.Host("cp1")));
        Assert.Empty(InstallFiles.BinariesFor(Config, Config.Host("lb1")));
    }

    [Fact]
    public void The_artifacts_phase_reaches_workers_but_not_load_balancers()
    {
        Assert.Equal(["cp1", "cp2", "cp3", "w1", "w2"], new ArtifactsPhase().Targets(Config).Select(h => h.Name));
    }
}
