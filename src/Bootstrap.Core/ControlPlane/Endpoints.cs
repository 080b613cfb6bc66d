using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Bootstrap.Core.ControlPlane;

/// <summary>URLs and loopback addresses for a host address, with IPv6 in brackets.</summary>
internal static class Endpoints
{
    public static string Url(string scheme, IPAddress address, int port) =>
        string.Create(CultureInfo.InvariantCulture, $"{scheme}://{HostPort(address, port)}");

    public static string HostPort(IPAddress address, int port) =>
        address.AddressFamily == AddressFamily.InterNetworkV6
            ? string.Create(CultureInfo.InvariantCulture, $"[{address}]:{port}")
            : string.Create(CultureInfo.InvariantCulture, $"{address}:{port}");

    /// <summary>The loopback of the same family as <paramref name="address"/>, as kubeadm chooses for etcd.</summary>
    public static IPAddress LoopbackFor(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback;
}
