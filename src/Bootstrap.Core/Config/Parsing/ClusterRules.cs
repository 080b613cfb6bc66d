using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Bootstrap.Core.Config.Parsing;

/// <summary>
/// The rules that involve more than one field. Each rule runs only when the fields it needs were
/// read without error, so one mistake is reported once.
/// </summary>
internal static class ClusterRules
{
    /// <summary>The port kube-apiserver listens on on every control-plane host.</summary>
    public const int ApiServerPort = 6443;

    public static void Check(ParseContext context, ClusterDraft draft)
    {
        var hosts = draft.Hosts ?? [];
        UniqueHosts(context, hosts);
        HostsInSubnet(context, draft, hosts);
        Subnets(context, draft);
        ControlPlanes(context, draft, hosts);
        LoadBalancer(context, draft, hosts);
        Etcd(context, draft, hosts);
        Certificates(context, draft);
        Bastions(context, draft, hosts);
    }

    private static void UniqueHosts(ParseContext context, IReadOnlyList<HostDraft> hosts)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var addresses = new Dictionary<IPAddress, string>();
        foreach (var host in hosts)
        {
            if (host.Name is { } name && !names.TryAdd(name, host.Path))
            {
                context.ErrorAt(host.Path + ".name", $"host name {InputQuote.Quote(name)} is already used by {names[name]}; expected a unique name per host");
            }

            if (host.Address is { } address && !addresses.TryAdd(address, host.Path))
            {
                context.ErrorAt(host.Path + ".address", $"address {address} is already used by {addresses[address]}; expected a unique address per host");
            }
        }
    }

    private static void HostsInSubnet(ParseContext context, ClusterDraft draft, IReadOnlyList<HostDraft> hosts)
    {
        if (draft.Networking?.HostSubnet is not { } subnet)
        {
            return;
        }

        foreach (var host in hosts)
        {
            if (host.Address is { } address && !subnet.Contains(address))
            {
                context.ErrorAt(host.Path + ".address", $"address {address} is outside spec.networking.hostSubnet {subnet}; expected an address in it");
            }
        }
    }

    private static void Subnets(ParseContext context, ClusterDraft draft)
    {
        if (draft.Networking is not { } net)
        {
            return;
        }

        const string pods = "spec.networking.podSubnet";
        const string services = "spec.networking.serviceSubnet";
        if (!SameFamily(net.PodSubnet.BaseAddress, net.ServiceSubnet.BaseAddress))
        {
            context.ErrorAt(services, $"serviceSubnet {net.ServiceSubnet} is {Family(net.ServiceSubnet.BaseAddress)} but podSubnet {net.PodSubnet} is {Family(net.PodSubnet.BaseAddress)}; expected both of one family (single-stack)");
        }

        if (ScalarFormats.Overlap(net.PodSubnet, net.ServiceSubnet))
        {
            context.ErrorAt(services, $"serviceSubnet {net.ServiceSubnet} overlaps podSubnet {net.PodSubnet}; expected disjoint ranges");
        }

        if (ScalarFormats.Overlap(net.PodSubnet, net.HostSubnet))
        {
            context.ErrorAt(pods, $"podSubnet {net.PodSubnet} overlaps hostSubnet {net.HostSubnet}; expected a range apart from the hosts' network");
        }

        if (ScalarFormats.Overlap(net.ServiceSubnet, net.HostSubnet))
        {
            context.ErrorAt(services, $"serviceSubnet {net.ServiceSubnet} overlaps hostSubnet {net.HostSubnet}; expected a range apart from the hosts' network");
        }

        // kube-apiserver refuses service ranges above 2^20 addresses; node CIDRs are /24 (IPv4) or /64 (IPv6).
        var v4 = net.ServiceSubnet.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
        var smallestServicePrefix = v4 ? 12 : 108;
        if (net.ServiceSubnet.PrefixLength < smallestServicePrefix)
        {
            context.ErrorAt(services, $"serviceSubnet {net.ServiceSubnet} is too large; expected a prefix of /{smallestServicePrefix} or longer (kube-apiserver allows at most 2^20 service addresses)");
        }

        var nodeMask = net.PodSubnet.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 24 : 64;
        if (net.PodSubnet.PrefixLength > nodeMask)
        {
            context.ErrorAt(pods, $"podSubnet {net.PodSubnet} is too small; expected a prefix of /{nodeMask} or shorter (each node gets a /{nodeMask})");
        }
    }

    private static void ControlPlanes(ParseContext context, ClusterDraft draft, IReadOnlyList<HostDraft> hosts)
    {
        if (draft.Hosts is null || hosts.Any(h => h.Roles is null))
        {
            return;
        }

        var controlPlanes = hosts.Where(h => h.Roles!.Contains(HostRole.ControlPlane)).ToArray();
        if (controlPlanes.Length == 0)
        {
            context.ErrorAt("spec.hosts", "no host has role control-plane; expected at least one");
        }

        if (controlPlanes.Length == 1 && draft.LoadBalancer is not null)
        {
            var only = controlPlanes[0];
            context.WarningAt(only.Path + ".roles",
                $"{only.Name ?? only.Path} is the only control-plane host, so the load balancer has one kube-apiserver behind it and the cluster is not highly available (losing that host stops the API); add control-plane hosts, 3 with stacked etcd");
        }
    }

    private static void LoadBalancer(ParseContext context, ClusterDraft draft, IReadOnlyList<HostDraft> hosts)
    {
        if (draft.LoadBalancer is not { } lb || draft.Endpoint is not { } endpoint)
        {
            return;
        }

        var rolesKnown = draft.Hosts is not null && hosts.All(h => h.Roles is not null);
        var balancers = rolesKnown ? hosts.Where(h => h.Roles!.Contains(HostRole.LoadBalancer)).ToArray() : [];
        if (lb.Type == LoadBalancerType.External)
        {
            if (endpoint.Host.Length == 0)
            {
                context.ErrorAt("spec.controlPlaneEndpoint.host", "an external load balancer needs controlPlaneEndpoint.host; expected the address or DNS name of that load balancer");
            }

            foreach (var host in balancers)
            {
                context.ErrorAt(host.Path + ".roles", "role loadbalancer is only used with spec.loadBalancer.type haproxy-keepalived; expected no loadbalancer hosts with an external load balancer");
            }

            return;
        }

        if (rolesKnown && balancers.Length == 0)
        {
            context.ErrorAt("spec.loadBalancer.type", "haproxy-keepalived needs at least one host with role loadbalancer; expected one (two for failover)");
        }

        if (lb.VirtualIP is { } vip)
        {
            VirtualIP(context, draft, hosts, vip);
            if (endpoint.Host.Length > 0 && ScalarFormats.Address(endpoint.Host) is { } endpointAddress && !endpointAddress.Equals(vip))
            {
                context.ErrorAt("spec.controlPlaneEndpoint.host", $"address {endpointAddress} differs from spec.loadBalancer.virtualIP {vip}; expected the virtual IP, a DNS name for it, or no host at all");
            }
        }

        if (endpoint.Port == ApiServerPort)
        {
            foreach (var host in balancers.Where(h => h.Roles!.Contains(HostRole.ControlPlane)))
            {
                context.ErrorAt(host.Path + ".roles", $"a host with roles loadbalancer and control-plane would run haproxy and kube-apiserver both on port {ApiServerPort}; expected a different controlPlaneEndpoint.port, or separate hosts");
            }
        }
    }

    private static void VirtualIP(ParseContext context, ClusterDraft draft, IReadOnlyList<HostDraft> hosts, IPAddress vip)
    {
        const string path = "spec.loadBalancer.virtualIP";
        if (draft.Networking?.HostSubnet is { } subnet)
        {
            if (!subnet.Contains(vip))
            {
                context.ErrorAt(path, $"virtual IP {vip} is outside spec.networking.hostSubnet {subnet}; expected an unused address in it");
                return;
            }

            if (vip.AddressFamily == AddressFamily.InterNetwork && subnet.PrefixLength < 31
                && (vip.Equals(subnet.BaseAddress) || vip.Equals(ScalarFormats.LastAddress(subnet))))
            {
                context.ErrorAt(path, $"virtual IP {vip} is the network or broadcast address of {subnet}; expected an unused host address in it");
                return;
            }
        }

        if (hosts.FirstOrDefault(h => vip.Equals(h.Address)) is { } taken)
        {
            context.ErrorAt(path, $"virtual IP {vip} is the address of {taken.Path} ({taken.Name}); expected an address no host uses");
        }
    }

    private static void Etcd(ParseContext context, ClusterDraft draft, IReadOnlyList<HostDraft> hosts)
    {
        if (draft.Etcd is not { } etcd || draft.Hosts is null || hosts.Any(h => h.Roles is null))
        {
            return;
        }

        var etcdHosts = hosts.Where(h => h.Roles!.Contains(HostRole.Etcd)).ToArray();
        int members;
        if (etcd.Topology == EtcdTopology.Stacked)
        {
            foreach (var host in etcdHosts)
            {
                context.ErrorAt(host.Path + ".roles", "role etcd needs spec.etcd.topology dedicated; with stacked etcd every control-plane host runs a member, so remove the role or set topology: dedicated");
            }

            members = hosts.Count(h => h.Roles!.Contains(HostRole.ControlPlane));
        }
        else
        {
            if (etcdHosts.Length == 0)
            {
                context.ErrorAt("spec.etcd.topology", "topology dedicated needs hosts with role etcd; expected at least one (three for fault tolerance)");
            }

            foreach (var host in etcdHosts.Where(h => h.Roles!.Contains(HostRole.ControlPlane)))
            {
                context.ErrorAt(host.Path + ".roles", "a dedicated etcd host cannot also be a control plane; expected separate hosts, or spec.etcd.topology stacked");
            }

            members = etcdHosts.Length;
        }

        if (members > 0 && members % 2 == 0)
        {
            var path = etcd.Topology == EtcdTopology.Stacked ? "spec.hosts" : "spec.etcd.topology";
            context.WarningAt(path, EvenMembers(members));
        }
    }

    /// <summary>
    /// "etcd would have 2 members, which tolerate 0 failures (a quorum is 2 members), the same as 1 member; …":
    /// a quorum is a majority, so an even count tolerates no more failures than one member fewer.
    /// </summary>
    internal static string EvenMembers(int members)
    {
        var quorum = (members / 2) + 1;
        var tolerated = members - quorum;
        return string.Create(CultureInfo.InvariantCulture,
            $"etcd would have {members} members, which tolerate {Count(tolerated, "failure")} (a quorum is {quorum} members), the same as {Count(members - 1, "member")}; an odd count such as {members + 1} is recommended");
    }

    private static string Count(int n, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{n} {noun}{(n == 1 ? string.Empty : "s")}");

    /// <summary>A host whose (own or inherited) bastion is its own address would connect to itself through itself.</summary>
    private static void Bastions(ParseContext context, ClusterDraft draft, IReadOnlyList<HostDraft> hosts)
    {
        var viaDefault = new List<HostDraft>();
        foreach (var host in hosts)
        {
            if (host.Address is not { } address)
            {
                continue;
            }

            if (host.Ssh?.Bastion is { } own)
            {
                if (ScalarFormats.Address(own.Address) is { } jump && jump.Equals(address))
                {
                    context.ErrorAt(host.Path + ".ssh.bastion.address",
                        $"bastion {own.Address} is the address of this host ({host.Name ?? host.Path}); a host cannot be its own jump host, expected another machine or no bastion");
                }
            }
            else if (draft.Ssh?.Bastion is { } shared && ScalarFormats.Address(shared.Address) is { } jump && jump.Equals(address))
            {
                viaDefault.Add(host);
            }
        }

        foreach (var host in viaDefault)
        {
            context.ErrorAt("spec.ssh.bastion.address",
                $"bastion {draft.Ssh!.Bastion!.Address} is the address of {host.Path} ({host.Name ?? "?"}), which would use itself as its jump host; expected a bastion outside spec.hosts, or ssh.bastion set per host on the others");
        }
    }

    private static void Certificates(ParseContext context, ClusterDraft draft)
    {
        if (draft.Certificates is { } certificates && certificates.Validity > certificates.CAValidity)
        {
            context.ErrorAt("spec.certificates.validity", $"leaf validity {Hours(certificates.Validity)} exceeds caValidity {Hours(certificates.CAValidity)}; expected at most the CA's validity");
        }
    }

    private static string Hours(TimeSpan span) => ((long)span.TotalHours).ToString(CultureInfo.InvariantCulture) + "h";

    private static bool SameFamily(IPAddress a, IPAddress b) => a.AddressFamily == b.AddressFamily;

    private static string Family(IPAddress address) => ClusterFileReader.Family(address);
}
