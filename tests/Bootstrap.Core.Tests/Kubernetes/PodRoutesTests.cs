using System.Net;
using System.Net.Sockets;
using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Tests.Rendering;
using k8s.Models;

namespace Bootstrap.Core.Tests.Kubernetes;

public sealed class PodRoutesTests
{
    private static readonly ClusterConfig Config = LabCluster.Load();

    [Fact]
    public void A_node_routes_every_other_nodes_allocated_range_through_that_nodes_address()
    {
        var (routes, skipped) = PodRoutes.For(Config, "w1", LabRenderings.LabNodes);

        Assert.Equal(
            ["cp1 10.244.0.0/24 via 192.168.56.21", "cp2 10.244.2.0/24 via 192.168.56.22", "cp3 10.244.1.0/24 via 192.168.56.23", "w2 10.244.4.0/24 via 192.168.56.32"],
            routes.Select(r => $"{r.Node} {r.Destination} via {r.Via}"));
        Assert.Empty(skipped);
    }

    [Fact]
    public void Nodes_without_a_range_off_the_hosts_segment_or_outside_the_pod_subnet_get_no_route_and_say_why()
    {
        NodeNetwork[] nodes =
        [
            new("w1", IPNetwork.Parse("10.244.3.0/24"), IPAddress.Parse("192.168.56.31")),
            new("new", null, IPAddress.Parse("192.168.56.33")),
            new("far", IPNetwork.Parse("10.244.9.0/24"), IPAddress.Parse("10.1.0.5")),
            new("odd", IPNetwork.Parse("10.99.0.0/24"), IPAddress.Parse("192.168.56.34")),
        ];

        var (routes, skipped) = PodRoutes.For(Config, "w1", nodes);

        Assert.Empty(routes);
        Assert.Equal(3, skipped.Count);
        Assert.Contains(skipped, s => s.StartsWith("node new has no pod range allocated yet", StringComparison.Ordinal));
        Assert.Contains(skipped, s => s.StartsWith("node far's address 10.1.0.5 is outside networking.hostSubnet", StringComparison.Ordinal));
        Assert.Contains(skipped, s => s.StartsWith("node odd's pod range 10.99.0.0/24 is outside networking.podSubnet", StringComparison.Ordinal));
    }

    [Fact]
    public void A_node_reads_its_range_and_its_internal_address_of_the_pod_networks_family()
    {
        var node = new V1Node
        {
            Metadata = new V1ObjectMeta { Name = "w1" },
            Spec = new V1NodeSpec { PodCIDR = "10.244.3.0/24", PodCIDRs = ["10.244.3.0/24", "fd00:244:0:3::/64"] },
            Status = new V1NodeStatus
            {
                Addresses =
                [
                    new V1NodeAddress { Type = "Hostname", Address = "w1" },
                    new V1NodeAddress { Type = "InternalIP", Address = "fd00::31" },
                    new V1NodeAddress { Type = "InternalIP", Address = "192.168.56.31" },
                ],
            },
        };

        Assert.Equal(new NodeNetwork("w1", IPNetwork.Parse("10.244.3.0/24"), IPAddress.Parse("192.168.56.31")), NodeNetwork.From(node, AddressFamily.InterNetwork));
        Assert.Equal(new NodeNetwork("w1", IPNetwork.Parse("fd00:244:0:3::/64"), IPAddress.Parse("fd00::31")), NodeNetwork.From(node, AddressFamily.InterNetworkV6));
        Assert.Equal(new NodeNetwork("new", null, null), NodeNetwork.From(new V1Node { Metadata = new V1ObjectMeta { Name = "new" } }, AddressFamily.InterNetwork));
    }

    [Fact]
    public void Routes_and_the_masquerade_rule_are_commands_bootstrap_can_find_again()
    {
        var route = new PodRoute("cp1", IPNetwork.Parse("10.244.0.0/24"), IPAddress.Parse("192.168.56.21"));

        Assert.Equal(["/usr/sbin/ip", "route", "replace", "10.244.0.0/24", "via", "192.168.56.21", "proto", "158"], PodNetworkCommands.RouteReplace(route));
        Assert.Equal(["/usr/sbin/ip", "-j", "-4", "route", "show", "proto", "158"], PodNetworkCommands.ListRoutes(Config).Argv);
        Assert.Equal(
            ["/usr/sbin/iptables", "-w", "-t", "nat", "-C", "POSTROUTING", "-s", "10.244.0.0/16", "!", "-d", "10.244.0.0/16", "-m", "comment", "--comment", PodNetworkCommands.MasqueradeComment, "-j", "MASQUERADE"],
            PodNetworkCommands.Masquerade(Config, "-C"));
    }

    [Fact]
    public void The_routes_bootstrap_made_are_read_back_from_ip_json()
    {
        // `ip -j -4 route show proto 158` of iproute2 6.1.
        var routes = PodNetworkCommands.ParseRoutes("""[{"dst":"10.244.0.0/24","gateway":"192.168.56.21","dev":"eth0","protocol":"158","flags":[]},{"dst":"10.244.9.0/24","dev":"cni0","protocol":"158","flags":[]}]""");

        Assert.Equal(IPAddress.Parse("192.168.56.21"), routes[IPNetwork.Parse("10.244.0.0/24")]);
        Assert.Null(routes[IPNetwork.Parse("10.244.9.0/24")]);
        Assert.Empty(PodNetworkCommands.ParseRoutes("[ ]\n"));
        Assert.Empty(PodNetworkCommands.ParseRoutes(string.Empty));
    }
}
