using System.Text.RegularExpressions;
using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Rendering;

namespace Bootstrap.Core.LoadBalancer;

/// <summary>
/// haproxy.cfg and keepalived.conf for the <c>loadbalancer</c> hosts of a haproxy-keepalived cluster:
/// haproxy passes TCP on the endpoint port through to every API server on 6443 and checks their
/// /readyz over HTTPS (timings: <see cref="ApiServerHandover"/>); keepalived holds the virtual IP on a
/// host whose haproxy runs, talking unicast VRRP to the other load balancers. The first load balancer
/// in the file has the highest priority; a holder whose haproxy sees no ready API server drops below every
/// other (<see cref="BackendsWeight"/>), asking haproxy's monitor frontend on <see cref="MonitorPort"/>.
/// </summary>
internal sealed partial class LoadBalancerFiles
{
    /// <summary>The loopback port of haproxy's frontend answering 503 when no API server is UP (haproxy's usual stats port).</summary>
    public const int MonitorPort = 8404;

    public const string MonitorPath = "/apiserver-backends";

    /// <summary>Where the monitor frontend answers with haproxy's statistics, read-only (<c>;csv</c>: machine-readable).</summary>
    public const string ServersPath = "/apiserver-backends/servers";

    /// <summary>How far a load balancer without a ready API server drops: more than the spread of all priorities (up to 100 load balancers).</summary>
    public const int BackendsWeight = 100;

    private const int HighestPriority = 200;

    private readonly TemplateRenderer _renderer;

    public LoadBalancerFiles(TemplateRenderer renderer) => _renderer = renderer;

    public string Haproxy(ClusterConfig config)
    {
        RequireManaged(config);
        return _renderer.Render(
            "haproxy.cfg.sbn",
            new HaproxyModel(
                config.Name,
                config.ControlPlaneEndpoint.Port,
                config.ControlPlaneHosts.Select(h => new HaproxyServer(h.Name, Endpoints.HostPort(h.Address, KubeadmLayout.ApiServerPort))).ToArray(),
                GoDuration.Format(ApiServerHandover.CheckInterval),
                GoDuration.Format(ApiServerHandover.FastCheckInterval),
                ApiServerHandover.Fall,
                ApiServerHandover.Rise,
                GoDuration.Format(ApiServerHandover.LeaveBound),
                GoDuration.Format(ApiServerHandover.ShutdownDelay),
                MonitorPort,
                MonitorPath,
                ServersPath));
    }

    /// <param name="interfaceName">The interface for the virtual IP: <see cref="LoadBalancerSpec.Interface"/> when set, else the one holding the host's address.</param>
    /// <param name="authPassword">VRRP's shared password (1–8 printable characters, no spaces or quotes), the same on every load balancer; a secret the caller keeps.</param>
    public string Keepalived(ClusterConfig config, HostSpec host, string interfaceName, string authPassword)
    {
        RequireManaged(config);
        var loadBalancers = config.LoadBalancerHosts;
        var index = loadBalancers.ToList().IndexOf(host);
        if (index < 0)
        {
            throw new ArgumentException($"host {host.Name} is not a load balancer", nameof(host));
        }

        if (!NetworkInterfaceName.IsValid(interfaceName))
        {
            throw new ArgumentException($"not a network interface name: '{interfaceName}'", nameof(interfaceName));
        }

        if (!AuthPassword().IsMatch(authPassword))
        {
            throw new ArgumentException("the VRRP password must be 1 to 8 printable ASCII characters without spaces, quotes or #", nameof(authPassword));
        }

        return _renderer.Render(
            "keepalived.conf.sbn",
            new KeepalivedModel(
                host.Name,
                host.Address.ToString(),
                index == 0 ? "MASTER" : "BACKUP",
                HighestPriority - index,
                interfaceName,
                config.LoadBalancer.VirtualRouterId,
                config.LoadBalancer.VirtualIP!.ToString(),
                config.Networking.HostSubnet.PrefixLength,
                loadBalancers.Where(h => h != host).Select(h => h.Address.ToString()).ToArray(),
                authPassword,
                MonitorUrl,
                BackendsWeight));
    }

    /// <summary>What keepalived asks: 200 while haproxy has an API server UP.</summary>
    public static string MonitorUrl => $"http://127.0.0.1:{MonitorPort}{MonitorPath}";

    /// <summary>haproxy's statistics as CSV, on the load balancer itself.</summary>
    public static string ServersUrl => $"http://127.0.0.1:{MonitorPort}{ServersPath};csv";

    private static void RequireManaged(ClusterConfig config)
    {
        if (config.LoadBalancer.Type != LoadBalancerType.HaproxyKeepalived || config.LoadBalancer.VirtualIP is null)
        {
            throw new InvalidOperationException($"cluster {config.Name} has an external load balancer; Bootstrap renders no haproxy or keepalived for it");
        }
    }

    [GeneratedRegex("^[!$-&(-~]{1,8}$")]
    private static partial Regex AuthPassword();
}
