using Bootstrap.Core.Kubernetes;
using k8s.Models;

namespace Bootstrap.Core.Tests.Kubernetes;

public sealed class ControlPlaneMarksTests
{
    [Fact]
    public void A_node_with_the_label_and_the_taint_needs_no_patch()
    {
        var node = new V1Node
        {
            Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { [ControlPlaneMarks.Label] = string.Empty } },
            Spec = new V1NodeSpec { Taints = [new V1Taint { Key = ControlPlaneMarks.Label, Effect = "NoSchedule" }] },
        };

        Assert.Null(ControlPlaneMarks.Patch(node));
    }

    [Fact]
    public void A_tainted_node_without_the_label_gets_only_the_label()
    {
        var node = new V1Node
        {
            Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = "cp1" } },
            Spec = new V1NodeSpec { Taints = [new V1Taint { Key = ControlPlaneMarks.Label, Effect = "NoSchedule" }] },
        };

        Assert.Equal("""{"metadata":{"labels":{"node-role.kubernetes.io/master":""}}}""", ControlPlaneMarks.Patch(node)!.ToJsonString());
    }

    [Fact]
    public void Adding_the_taint_keeps_the_nodes_other_taints()
    {
        var node = new V1Node
        {
            Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { [ControlPlaneMarks.Label] = string.Empty } },
            Spec = new V1NodeSpec { Taints = [new V1Taint { Key = "example.com/dedicated", Value = "db", Effect = "NoExecute" }] },
        };

        var taints = ControlPlaneMarks.Patch(node)!["spec"]!["taints"]!.AsArray();

        Assert.Equal(["example.com/dedicated", ControlPlaneMarks.Label], taints.Select(t => (string?)t!["key"]));
    }

    [Fact]
    public void A_bare_node_gets_the_label_and_the_taint()
    {
        var patch = ControlPlaneMarks.Patch(new V1Node())!;

        Assert.Equal(string.Empty, patch["metadata"]!["labels"]![ControlPlaneMarks.Label]!.GetValue<string>());
        Assert.Equal("NoSchedule", (string?)patch["spec"]!["taints"]![0]!["effect"]);
    }
}
