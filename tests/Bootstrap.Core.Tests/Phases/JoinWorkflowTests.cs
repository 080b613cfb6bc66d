using Bootstrap.Core.Phases;
using Bootstrap.Core.Phases.Preflight;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Phases;

public sealed class JoinWorkflowTests
{
    private static PhaseTree Join => JoinWorkflow.Create(new PreflightOptions());

    [Fact]
    public void Join_runs_the_node_phases_of_init_in_inits_order_after_preflight_the_identity_guard_and_the_binaries()
    {
        var join = Join.Walk().Select(p => p.Path).ToList();
        var init = InitWorkflow.Create(new PreflightOptions()).Walk().Select(p => p.Path).ToList();

        Assert.Equal(
            ["preflight", "identity", "artifacts", "containerd", "images", "kubelet-start", "kubelet-client-csr", "pod-network", "mark-control-plane", "kubelet-serving-csr", "kube-proxy", "node-eviction"],
            join);
        Assert.Equal(join, init.Where(join.Contains));
    }

    [Fact]
    public void Join_makes_no_cluster_wide_objects_no_control_plane_and_never_writes_the_state()
    {
        var join = Join.Walk().ToList();

        Assert.DoesNotContain(join, p => p.Path.StartsWith("upload-config", StringComparison.Ordinal) || p.Path is "bootstrap-token" or "certs" or "kubeconfig");
        Assert.DoesNotContain(join, p => p.Path.StartsWith("control-plane", StringComparison.Ordinal) || p.Path.StartsWith("etcd", StringComparison.Ordinal));
        Assert.DoesNotContain(join, p => p.Phase is IPreparingPhase);
    }

    [Fact]
    public void Joining_one_worker_touches_only_it_but_routes_every_node_to_its_pods_and_approves_serving_requests_once_through_the_api()
    {
        var config = LabCluster.Load();
        var selection = new WorkflowSelection { Hosts = ["w2"] };

        var targets = selection.Steps(Join, config).ToDictionary(s => s.Path, s => s.Targets.Select(h => h.Name).ToList());

        string[] nodes = ["cp1", "cp2", "cp3", "w1", "w2"];
        Assert.Equal(["w2"], targets["preflight"]);
        Assert.Equal(["w2"], targets["artifacts"]);
        Assert.Equal(["w2"], targets["containerd"]);
        Assert.Equal(["w2"], targets["kubelet-start"]);
        Assert.Equal(["cluster"], targets["kubelet-client-csr"]);
        Assert.Equal(nodes, targets["pod-network"]);
        Assert.Empty(targets["mark-control-plane"]);
        Assert.Equal(["cluster"], targets["kubelet-serving-csr"]);
        Assert.Equal(["w2"], targets["kube-proxy"]);
        Assert.Equal(["cp1", "cp2", "cp3"], targets["node-eviction"]);

        // Every host something is written to is checked by the identity guard first.
        Assert.Equal(nodes, targets["identity"]);
        Assert.Equal(nodes, WorkflowRunner.HostsOf(Join, selection, config).Select(h => h.Name));
    }

    [Fact]
    public void Joining_one_worker_without_the_pod_network_touches_only_it()
    {
        var config = LabCluster.Load();
        var selection = new WorkflowSelection { Hosts = ["w2"], Skip = ["pod-network", "node-eviction"] };

        Assert.Equal(["w2"], selection.Steps(Join, config).Single(s => s.Path == "identity").Targets.Select(h => h.Name));
        Assert.Equal(["w2"], WorkflowRunner.HostsOf(Join, selection, config).Select(h => h.Name));
    }

    [Fact]
    public void On_a_release_whose_controller_managers_stop_tainting_lost_nodes_joining_a_worker_also_reaches_the_control_planes()
    {
        var affected = LabCluster.Load();
        var fixedRelease = affected with { KubernetesVersion = new Bootstrap.Core.Config.KubernetesVersion(1, 20, 5) };
        var selection = new WorkflowSelection { Hosts = ["w2"], Skip = ["pod-network"] };

        Assert.Equal(["cp1", "cp2", "cp3", "w2"], WorkflowRunner.HostsOf(Join, selection, affected).Select(h => h.Name));
        Assert.Equal(["w2"], WorkflowRunner.HostsOf(Join, selection, fixedRelease).Select(h => h.Name));
    }

    [Fact]
    public void The_hosts_join_can_take_are_the_nodes()
    {
        Assert.Equal(["cp1", "cp2", "cp3", "w1", "w2"], JoinWorkflow.Hosts(LabCluster.Load()).Select(h => h.Name));
    }
}
