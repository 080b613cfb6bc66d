using Bootstrap.Core.Config;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// The routes one node needs to every other node's pods, host-gw style (as flannel's host-gw backend makes them):
/// each other Node's allocated pod range through that Node's address, which must be on the hosts' segment
/// (<c>networking.hostSubnet</c>, one layer-2 segment) for the next hop to be reachable. The API's Node list is the
/// source: Nodes not in the cluster file (joined by a stock kubeadm) are routed too. Pure.
/// </summary>
internal static class PodRoutes
{
    /// <summary>Routes from <paramref name="self"/> to every other node's pods, by node name; <c>Skipped</c> says which Nodes get none, and why.</summary>
    public static (IReadOnlyList<PodRoute> Routes, IReadOnlyList<string> Skipped) For(ClusterConfig config, string self, IEnumerable<NodeNetwork> nodes)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(nodes);
        var routes = new List<PodRoute>();
        var skipped = new List<string>();
        foreach (var node in nodes.Where(n => n.Name != self).OrderBy(n => n.Name, StringComparer.Ordinal))
        {
            if (node.PodCidr is not { } range)
            {
                skipped.Add($"node {node.Name} has no pod range allocated yet: no route to its pods");
            }
            else if (node.Address is not { } address || !config.Networking.HostSubnet.Contains(address))
            {
                skipped.Add($"node {node.Name}'s address {node.Address?.ToString() ?? "(none)"} is outside networking.hostSubnet {config.Networking.HostSubnet}: no route to its pods {range} (routes need one layer-2 segment)");
            }
            else if (!config.Networking.PodSubnet.Contains(range.BaseAddress))
            {
                skipped.Add($"node {node.Name}'s pod range {range} is outside networking.podSubnet {config.Networking.PodSubnet}: not routed");
            }
            else
            {
                routes.Add(new PodRoute(node.Name, range, address));
            }
        }

        return (routes, skipped);
    }
}
