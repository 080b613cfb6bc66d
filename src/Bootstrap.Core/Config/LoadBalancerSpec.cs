using System.Net;

namespace Bootstrap.Core.Config;

/// <summary>The API load balancer (<c>spec.loadBalancer</c>).</summary>
public sealed record LoadBalancerSpec
{
    public required LoadBalancerType Type { get; init; }

    /// <summary>The address keepalived holds; set exactly when <see cref="Type"/> is haproxy-keepalived.</summary>
    public IPAddress? VirtualIP { get; init; }

    /// <summary>keepalived's virtual_router_id (1–255); 51 unless set. Unique per layer-2 segment.</summary>
    public int VirtualRouterId { get; init; } = 51;

    /// <summary>The network interface for the virtual IP; null means the one holding the host's address.</summary>
    public string? Interface { get; init; }
}
