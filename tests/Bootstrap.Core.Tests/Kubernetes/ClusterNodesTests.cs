using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Phases.Install;

namespace Bootstrap.Core.Tests.Kubernetes;

public sealed class ClusterNodesTests
{
    private static readonly ClusterConfig Config = LabCluster.Load();

    [Fact]
    public void Control_plane_hosts_and_workers_are_nodes_load_balancers_are_not()
    {
        Assert.Equal(["cp1", "cp2", "cp3", "w1", "w2"], ClusterNodes.Of(Config).Select(h => h.Name));
    }

    [Fact]
    public void Control_plane_hosts_are_not_nodes_when_they_run_no_kubelet()
    {
        var config = Config with { ControlPlane = new ControlPlaneSpec { RunKubelet = false } };

        Assert.Equal(["w1", "w2"], ClusterNodes.Of(config).Select(h => h.Name));
        Assert.DoesNotContain("kubelet", InstallSteps.BinariesFor(config, config.Host("cp1")));
    }

    [Fact]
    public void Workers_get_the_kubelet_and_kube_proxy_binaries_and_nothing_of_the_control_plane()
    {
        Assert.Equal(["kubelet", "kube-proxy"], InstallSteps.BinariesFor(Config, Config.Host("w1")));
        Assert.Contains("kubelet", InstallSteps.BinariesFor(Config, Config.Host("cp1")));
        Assert.Contains("kube-apiserver", InstallSteps.BinariesFor(Config, Config.Host("cp1")));
        Assert.Empty(InstallSteps.BinariesFor(Config, Config.Host("lb1")));
    }

    [Fact]
    public void The_artifacts_phase_reaches_workers_but_not_load_balancers()
    {
        Assert.Equal(["cp1", "cp2", "cp3", "w1", "w2"], InstallSteps.Artifacts().Targets(Config).Select(h => h.Name));
    }
}
