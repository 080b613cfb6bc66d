using Bootstrap.Core.Phases;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Phases;

public sealed class JoinWorkflowTests
{
    [Fact]
    public void Join_runs_the_node_phases_of_init_in_inits_order_after_preflight_and_the_binaries()
    {
        var join = JoinWorkflow.Create(new InitOptions()).Walk().Select(p => p.Path).ToList();
        var init = InitWorkflow.Create(new InitOptions()).Walk().Select(p => p.Path).ToList();

        Assert.Equal(["preflight", "artifacts", "kubelet-start", "mark-control-plane", "kubelet-serving-csr", "kube-proxy"], join);
        Assert.Equal(join, init.Where(join.Contains));
    }

    [Fact]
    public void Join_makes_no_cluster_wide_objects_and_no_control_plane()
    {
        var join = JoinWorkflow.Create(new InitOptions()).Walk().Select(p => p.Path).ToList();

        Assert.DoesNotContain(join, p => p.StartsWith("upload-config", StringComparison.Ordinal) || p is "bootstrap-token" or "certs" or "kubeconfig");
        Assert.DoesNotContain(join, p => p.StartsWith("control-plane", StringComparison.Ordinal) || p.StartsWith("etcd", StringComparison.Ordinal));
    }

    [Fact]
    public void Joining_one_worker_touches_only_it_and_approves_serving_requests_once_through_the_first_control_plane()
    {
        var config = LabCluster.Load();
        var tree = JoinWorkflow.Create(new InitOptions());
        var selection = new WorkflowSelection { Hosts = ["w2"] };

        var targets = tree.Walk().ToDictionary(p => p.Path, p => selection.TargetsOf(p.Phase, config).Select(h => h.Name).ToList());

        Assert.Equal(["w2"], targets["preflight"]);
        Assert.Equal(["w2"], targets["artifacts"]);
        Assert.Equal(["w2"], targets["kubelet-start"]);
        Assert.Empty(targets["mark-control-plane"]);
        Assert.Equal(["cp1"], targets["kubelet-serving-csr"]);
        Assert.Equal(["w2"], targets["kube-proxy"]);
        Assert.Equal(["cp1", "w2"], WorkflowRunner.HostsOf(tree, selection, config).Select(h => h.Name));
    }

    [Fact]
    public void The_hosts_join_can_take_are_the_nodes()
    {
        Assert.Equal(["cp1", "cp2", "cp3", "w1", "w2"], JoinWorkflow.Hosts(LabCluster.Load()).Select(h => h.Name));
    }
}
