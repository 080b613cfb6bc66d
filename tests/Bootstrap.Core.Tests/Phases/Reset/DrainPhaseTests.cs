using Bootstrap.Core.Phases.Reset;
using Bootstrap.Core.Tests.Phases.Nodes;
using Bootstrap.Core.Workflow;
using k8s.Models;

namespace Bootstrap.Core.Tests.Phases.Reset;

public sealed class DrainPhaseTests
{
    [Fact]
    public async Task The_pods_of_a_ready_node_are_evicted_and_waited_for()
    {
        var plan = await DrainAsync(ready: "True");

        Assert.Equal(["cordon", "evicted"], plan.Changes.Select(c => c.Reason));
    }

    [Fact]
    public async Task The_evictions_go_side_by_side_after_the_cordon()
    {
        var plan = await DrainAsync(ready: "True");

        Assert.Equal([false, true], plan.Changes.Select(c => c.SideBySide));
    }

    [Theory]
    [InlineData("Unknown")]
    [InlineData("False")]
    [InlineData(null)]
    public async Task The_pods_of_a_node_whose_kubelet_does_not_report_are_evicted_without_waiting_for_them(string? ready)
    {
        var plan = await DrainAsync(ready);

        var evict = Assert.Single(plan.Changes, c => c.Kind == ChangeKind.ApiDelete);
        Assert.Equal("Pod kube-system/coredns-1", evict.Target);
        Assert.Equal("evicted; node w1 is not Ready, so its kubelet cannot stop the pod: not waited for", evict.Reason);
    }

    private static Task<TargetPlan> DrainAsync(string? ready)
    {
        var node = FakeClusterReader.Node("w1", "10.244.3.0/24", "192.168.56.31");
        node.Status.Conditions = ready is null ? null : [new V1NodeCondition { Type = "Ready", Status = ready }];
        var api = new FakeClusterReader(node);
        api.Pods.Add(new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Name = "coredns-1", NamespaceProperty = "kube-system", Uid = "u1",
                OwnerReferences = [new V1OwnerReference { Kind = "ReplicaSet", Name = "coredns", ApiVersion = "apps/v1", Uid = "rs", Controller = true }],
            },
            Spec = new V1PodSpec { NodeName = "w1", Containers = [] },
        });
        return DrainPhase.PlanAsync(api, "w1", new ResetOptions(), CancellationToken.None);
    }
}
