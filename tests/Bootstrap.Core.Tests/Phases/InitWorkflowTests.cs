using Bootstrap.Core.Phases;
using Bootstrap.Core.Phases.Preflight;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Phases;

public sealed class InitWorkflowTests
{
    private static readonly string[] NodePhases =
    [
        "wait-control-plane", "upload-config/kubeadm", "upload-config/kubelet", "upload-config/kube-proxy",
        "bootstrap-token", "containerd", "images", "kubelet-start", "kubelet-client-csr", "pod-network", "mark-control-plane", "kubelet-serving-csr", "kube-proxy",
        "node-eviction", "addon/coredns",
    ];

    private static PhaseTree Tree => InitWorkflow.Create(new PreflightOptions());

    [Fact]
    public void Nodes_join_after_the_control_plane_answers_and_the_kubeadm_objects_exist()
    {
        var leaves = Tree.Walk().Where(p => p.Phase.Children.Count == 0).Select(p => p.Path).ToList();

        var start = leaves.IndexOf("wait-control-plane");
        Assert.Equal(NodePhases, leaves.Skip(start).Take(NodePhases.Length));
    }

    [Fact]
    public void The_identity_guard_comes_before_anything_that_writes_and_certs_is_the_only_phase_that_writes_the_state()
    {
        var leaves = Tree.Walk().Where(p => p.Phase.Children.Count == 0).ToList();

        Assert.Equal(["preflight", "identity", "certs"], leaves.Take(3).Select(p => p.Path));
        Assert.IsAssignableFrom<IGuardPhase>(leaves[1].Phase);
        Assert.Equal(["certs"], leaves.Where(p => p.Phase is IPreparingPhase).Select(p => p.Path));
    }

    [Fact]
    public void Api_phases_act_on_the_cluster_without_a_host_node_phases_on_every_node()
    {
        var config = LabCluster.Load();
        var tree = Tree;

        foreach (var api in new[] { "upload-config/kubeadm", "bootstrap-token", "kubelet-client-csr", "kubelet-serving-csr", "addon/coredns" })
        {
            Assert.Equal([PhaseTarget.Cluster], ((ILeafPhase)tree.Find(api)!).Targets(config));
        }

        foreach (var node in new[] { "containerd", "images", "kubelet-start", "pod-network", "kube-proxy" })
        {
            Assert.Equal(["cp1", "cp2", "cp3", "w1", "w2"], ((ILeafPhase)tree.Find(node)!).Targets(config).Select(h => h.Name));
        }

        Assert.IsAssignableFrom<IApiPhase>(tree.Find("mark-control-plane"));
    }
}
