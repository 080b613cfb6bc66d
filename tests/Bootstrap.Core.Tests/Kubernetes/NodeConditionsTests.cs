using Bootstrap.Core.Kubernetes;
using k8s.Models;

namespace Bootstrap.Core.Tests.Kubernetes;

public sealed class NodeConditionsTests
{
    private static V1Node Node(string status) => new()
    {
        Status = new V1NodeStatus
        {
            Conditions =
            [
                new V1NodeCondition { Type = "MemoryPressure", Status = "False" },
                new V1NodeCondition { Type = "Ready", Status = status, Reason = "KubeletNotReady", Message = "cni config uninitialized" },
            ],
        },
    };

    [Fact]
    public void Only_a_true_ready_condition_is_ready()
    {
        Assert.True(NodeConditions.IsReady(Node("True")));
        Assert.False(NodeConditions.IsReady(Node("False")));
        Assert.False(NodeConditions.IsReady(Node("Unknown")));
        Assert.False(NodeConditions.IsReady(new V1Node()));
        Assert.False(NodeConditions.IsReady(null));
    }

    [Fact]
    public void A_node_that_is_not_ready_says_why()
    {
        Assert.Equal("Ready=False (KubeletNotReady: cni config uninitialized)", NodeConditions.Describe(Node("False")));
        Assert.Equal("not registered", NodeConditions.Describe(null));
    }
}
