using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// What kubeadm's mark-control-plane phase puts on a control-plane Node: the label
/// <c>node-role.kubernetes.io/master=""</c> (a kubelet may not set it on itself under NodeRestriction)
/// and the NoSchedule taint <c>node-role.kubernetes.io/master</c>. Pure: the merge patch that adds what
/// is missing, or null when the Node has both.
/// </summary>
internal static class ControlPlaneMarks
{
    public const string Label = "node-role.kubernetes.io/master";

    public static JsonObject? Patch(V1Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var labelled = node.Metadata?.Labels?.ContainsKey(Label) == true;
        var taints = node.Spec?.Taints ?? [];
        var tainted = taints.Any(t => t.Key == Label && t.Effect == "NoSchedule");
        if (labelled && tainted)
        {
            return null;
        }

        var patch = new JsonObject();
        if (!labelled)
        {
            patch["metadata"] = new JsonObject { ["labels"] = new JsonObject { [Label] = string.Empty } };
        }

        if (!tainted)
        {
            // A merge patch replaces the whole list: keep the Node's other taints.
            var all = taints.Append(new V1Taint { Key = Label, Effect = "NoSchedule" }).ToList();
            patch["spec"] = new JsonObject { ["taints"] = JsonNode.Parse(KubernetesJson.Serialize(all)) };
        }

        return patch;
    }
}
