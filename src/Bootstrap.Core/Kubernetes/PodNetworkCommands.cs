using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// The commands of Bootstrap's pod network on a node (argv; the unit file runs the same ones): routes to other
/// nodes' pods, marked with their own routing protocol number so that Bootstrap finds exactly its own routes
/// (<c>ip route show proto 158</c>), and the one masquerade rule for pod traffic leaving the pod network.
/// </summary>
internal static class PodNetworkCommands
{
    /// <summary>The routing protocol number of Bootstrap's routes (unassigned in iproute2's rt_protos).</summary>
    public const int RouteProtocol = 158;

    public const string Ip = "/usr/sbin/ip";

    public const string MasqueradeComment = "bootstrap: masquerade pod traffic leaving the pod network";

    /// <summary>The bridge of the conflist (cni-bridge.conflist.sbn).</summary>
    public const string Bridge = "cni0";

    private static readonly string Protocol = RouteProtocol.ToString(CultureInfo.InvariantCulture);

    public static IReadOnlyList<string> RouteReplace(PodRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        return [Ip, "route", "replace", route.Destination.ToString(), "via", route.Via.ToString(), "proto", Protocol];
    }

    public static IReadOnlyList<string> RouteDelete(IPNetwork destination) =>
        [Ip, "route", "del", destination.ToString(), "proto", Protocol];

    /// <summary>Bootstrap's routes on the host, as JSON (<c>ip -j</c>).</summary>
    public static RemoteCommand ListRoutes(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new([Ip, "-j", Family(config) == AddressFamily.InterNetworkV6 ? "-6" : "-4", "route", "show", "proto", Protocol]);
    }

    /// <summary>The routes of <see cref="ListRoutes"/>: destination → gateway. Unparsable output reads as no routes.</summary>
    public static IReadOnlyDictionary<IPNetwork, IPAddress?> ParseRoutes(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var routes = new Dictionary<IPNetwork, IPAddress?>();
        if (json.Trim().Length == 0)
        {
            return routes;
        }

        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            return routes;
        }

        foreach (var route in document.RootElement.EnumerateArray())
        {
            if (route.TryGetProperty("dst", out var dst) && dst.GetString() is { } text && IPNetwork.TryParse(text, out var destination))
            {
                routes[destination] = route.TryGetProperty("gateway", out var gateway) && IPAddress.TryParse(gateway.GetString(), out var via) ? via : null;
            }
        }

        return routes;
    }

    /// <summary>The bridge's addresses, as JSON (<c>ip -j addr show dev cni0</c>); fails when there is no bridge yet.</summary>
    public static RemoteCommand BridgeAddresses() => new([Ip, "-j", "addr", "show", "dev", Bridge]);

    /// <summary>The addresses of <see cref="BridgeAddresses"/>, as <c>address/prefix</c>.</summary>
    public static IReadOnlyList<string> ParseAddresses(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Trim().Length == 0)
        {
            return [];
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind != JsonValueKind.Array ? [] :
        [
            .. document.RootElement.EnumerateArray()
                .Where(link => link.TryGetProperty("addr_info", out _))
                .SelectMany(link => link.GetProperty("addr_info").EnumerateArray())
                .Where(a => a.TryGetProperty("local", out _) && a.TryGetProperty("prefixlen", out _)
                    && !(a.TryGetProperty("scope", out var scope) && scope.GetString() == "link"))
                .Select(a => $"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}"),
        ];
    }

    public static IReadOnlyList<string> AddressDelete(string address) => [Ip, "addr", "del", address, "dev", Bridge];

    /// <summary>
    /// The masquerade rule of the pod network in the nat table: pod traffic to anything outside the pod network (the
    /// hosts, the outside world) leaves with the node's address; pod-to-pod traffic keeps its addresses on every path.
    /// <paramref name="operation"/> is <c>-A</c>, <c>-D</c> or <c>-C</c> (check).
    /// </summary>
    public static IReadOnlyList<string> Masquerade(ClusterConfig config, string operation)
    {
        ArgumentNullException.ThrowIfNull(config);
        var pods = config.Networking.PodSubnet.ToString();
        var iptables = Family(config) == AddressFamily.InterNetworkV6 ? "/usr/sbin/ip6tables" : "/usr/sbin/iptables";
        return [iptables, "-w", "-t", "nat", operation, "POSTROUTING", "-s", pods, "!", "-d", pods, "-m", "comment", "--comment", MasqueradeComment, "-j", "MASQUERADE"];
    }

    private static AddressFamily Family(ClusterConfig config) => config.Networking.PodSubnet.BaseAddress.AddressFamily;
}
