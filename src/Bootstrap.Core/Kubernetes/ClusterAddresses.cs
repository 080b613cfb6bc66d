using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using Bootstrap.Core.Config;

namespace Bootstrap.Core.Kubernetes;

/// <summary>Addresses derived from the cluster file: the API server URL, the cluster DNS address.</summary>
internal static class ClusterAddresses
{
    /// <summary><c>host:port</c> of the control-plane endpoint, an IPv6 address in brackets.</summary>
    public static string ControlPlaneHostPort(ClusterConfig config)
    {
        var endpoint = config.ControlPlaneEndpoint;
        return endpoint.Address is { AddressFamily: AddressFamily.InterNetworkV6 }
            ? string.Create(CultureInfo.InvariantCulture, $"[{endpoint.Host}]:{endpoint.Port}")
            : string.Create(CultureInfo.InvariantCulture, $"{endpoint.Host}:{endpoint.Port}");
    }

    /// <summary>The API server URL nodes use, e.g. <c>https://192.168.56.10:6443</c> (no trailing slash).</summary>
    public static string ApiServerUrl(ClusterConfig config) => "https://" + ControlPlaneHostPort(config);

    /// <summary>The cluster DNS Service address: the 10th address of the service subnet, as kubeadm's <c>GetDNSIP</c> picks.</summary>
    public static IPAddress ClusterDns(ClusterConfig config) => IndexedAddress(config.Networking.ServiceSubnet, 10);

    /// <summary>The address <paramref name="index"/> places after the network address of <paramref name="network"/>.</summary>
    public static IPAddress IndexedAddress(IPNetwork network, BigInteger index)
    {
        var bytes = network.BaseAddress.GetAddressBytes();
        var hostBits = (bytes.Length * 8) - network.PrefixLength;
        if (index < 0 || (BigInteger.One << hostBits) <= index)
        {
            throw new ArgumentOutOfRangeException(nameof(index), string.Create(CultureInfo.InvariantCulture, $"{network} has no address number {index}"));
        }

        var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true) + index;
        var result = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[bytes.Length];
        result.CopyTo(padded, padded.Length - result.Length);
        return new IPAddress(padded);
    }
}
