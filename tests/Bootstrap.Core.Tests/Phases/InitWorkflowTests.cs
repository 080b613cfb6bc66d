using Bootstrap.Core.Phases;

namespace Bootstrap.Core.Tests.Phases;

public sealed class InitWorkflowTests
{
    private static readonly string[] NodePhases =
    [
        "wait-control-plane", "upload-config/kubeadm", "upload-config/kubelet", "upload-config/kube-proxy",
        "bootstrap-token", "kubelet-start", "mark-control-plane", "kubelet-serving-csr", "kube-proxy",
    ];

    [Fact]
    public void Nodes_join_after_the_control_plane_answers_and_the_kubeadm_objects_exist()
    {
        var leaves = InitWorkflow.Create(new InitOptions()).Walk().Where(p => p.Phase.Children.Count == 0).Select(p => p.Path).ToList();

        var start = leaves.IndexOf("wait-control-plane");
        Assert.Equal(NodePhases, leaves.Skip(start).Take(NodePhases.Length));
    }

    [Fact]
    public void Api_phases_run_once_under_the_first_control_plane_host_node_phases_on_every_node()
    {
        var config = LabCluster.Load();
        var tree = InitWorkflow.Create(new InitOptions());

        foreach (var api in new[] { "upload-config/kubeadm", "bootstrap-token", "kubelet-serving-csr" })
        {
            Assert.Equal(["cp1"], tree.Find(api)!.Targets(config).Select(h => h.Name));
        }

        foreach (var node in new[] { "kubelet-start", "kube-proxy" })
        {
            Assert.Equal(["cp1", "cp2", "cp3", "w1", "w2"], tree.Find(node)!.Targets(config).Select(h => h.Name));
        }
    }
}
