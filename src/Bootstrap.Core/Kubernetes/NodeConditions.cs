using k8s.Models;

namespace Bootstrap.Core.Kubernetes;

/// <summary>Reading a Node's status: whether its Ready condition is True, and a line saying why not.</summary>
internal static class NodeConditions
{
    public static bool IsReady(V1Node? node) =>
        node?.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    public static string Describe(V1Node? node)
    {
        if (node is null)
        {
            return "not registered";
        }

        var ready = node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
        return ready is null ? "registered, no Ready condition yet" : $"Ready={ready.Status} ({ready.Reason}: {ready.Message})";
    }
}
