using System.Net;
using System.Net.Sockets;
using k8s.Models;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// A Node as the pod network sees it: its name, the pod range the controller manager allocated it
/// (<c>spec.podCIDR</c>, null until then) and its InternalIP of the pod range's family (the kubelet's <c>--node-ip</c>).
/// </summary>
internal sealed record NodeNetwork(string Name, IPNetwork? PodCidr, IPAddress? Address)
{
    /// <summary>Reads a Node for a pod network of <paramref name="family"/>; a range of the other family, or none, is null.</summary>
    public static NodeNetwork From(V1Node node, AddressFamily family)
    {
        ArgumentNullException.ThrowIfNull(node);
        var ranges = node.Spec?.PodCIDRs is { Count: > 0 } all ? all : node.Spec?.PodCIDR is { } one ? [one] : [];
        var podCidr = ranges
            .Select(r => IPNetwork.TryParse(r, out var network) ? network : (IPNetwork?)null)
            .FirstOrDefault(n => n?.BaseAddress.AddressFamily == family);
        var address = node.Status?.Addresses?
            .Where(a => a.Type == "InternalIP")
            .Select(a => IPAddress.TryParse(a.Address, out var ip) ? ip : null)
            .FirstOrDefault(ip => ip?.AddressFamily == family);
        return new NodeNetwork(node.Metadata.Name, podCidr, address);
    }
}
