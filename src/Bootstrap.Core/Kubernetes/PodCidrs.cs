using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using Bootstrap.Core.Config;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// A fixed slice of the pod subnet for each node, for the bridge CNI's host-local addresses: the
/// nodes (control-plane hosts and workers, in file order) take consecutive /24s (IPv4) or /64s (IPv6),
/// the controller manager's default node mask sizes. A pod subnet smaller than one slice is one
/// slice, for the first node only: two nodes handing out the same addresses would collide.
/// </summary>
internal static class PodCidrs
{
    public const int Ipv4NodePrefix = 24;
    public const int Ipv6NodePrefix = 64;

    public static IPNetwork ForHost(ClusterConfig config, HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(host);
        var nodes = config.Nodes.ToList();
        var index = nodes.FindIndex(h => h.Name == host.Name);
        if (index < 0)
        {
            throw new ArgumentException($"host {host.Name} runs no kubelet, so it has no pod addresses", nameof(host));
        }

        var pods = config.Networking.PodSubnet;
        var ipv6 = pods.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6;
        var bits = ipv6 ? 128 : 32;
        var nodePrefix = Math.Max(pods.PrefixLength, ipv6 ? Ipv6NodePrefix : Ipv4NodePrefix);
        var slices = BigInteger.One << (nodePrefix - pods.PrefixLength);
        if (index >= slices)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"pod subnet {pods} has {slices} node ranges of /{nodePrefix}; host {host.Name} is node number {index + 1}"));
        }

        var start = ClusterAddresses.IndexedAddress(pods, new BigInteger(index) << (bits - nodePrefix));
        return new IPNetwork(start, nodePrefix);
    }
}
