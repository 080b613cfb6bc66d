using System.Globalization;
using System.Net;
using System.Numerics;

namespace Bootstrap.Core.Pki;

/// <summary>CIDR arithmetic for the service subnet.</summary>
internal static class Cidr
{
    /// <summary>
    /// The first usable address of a CIDR (network address + 1), which Kubernetes gives the
    /// "kubernetes" service. For a dual-stack list ("a,b") the first CIDR counts, as in kubeadm.
    /// </summary>
    public static bool TryFirstAddress(string cidr, out IPAddress address)
    {
        address = IPAddress.None;
        var first = cidr.Split(',', 2)[0].Trim();
        var slash = first.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0
            || !IPAddress.TryParse(first[..slash], out var network)
            || !int.TryParse(first[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            return false;
        }

        var bytes = network.GetAddressBytes();
        var bits = bytes.Length * 8;
        if (prefix > bits - 1)
        {
            return false;
        }

        var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        var mask = ((BigInteger.One << prefix) - 1) << (bits - prefix);
        var first1 = (value & mask) + 1;
        var result = first1.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[bytes.Length];
        result.CopyTo(padded, padded.Length - result.Length);
        address = new IPAddress(padded);
        return true;
    }
}
