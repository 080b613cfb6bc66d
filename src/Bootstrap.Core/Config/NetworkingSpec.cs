using System.Net;

namespace Bootstrap.Core.Config;

/// <summary>Address ranges of the cluster (<c>spec.networking</c>).</summary>
public sealed record NetworkingSpec
{
    /// <summary>The subnet every host address lies in; the virtual IP must lie in it too.</summary>
    public required IPNetwork HostSubnet { get; init; }

    /// <summary>Addresses for pods (the cluster CIDR).</summary>
    public required IPNetwork PodSubnet { get; init; }

    /// <summary>Addresses for Services; its first address is the <c>kubernetes</c> Service.</summary>
    public required IPNetwork ServiceSubnet { get; init; }

    /// <summary>The cluster DNS domain, <c>cluster.local</c> unless set.</summary>
    public required string DnsDomain { get; init; }

    /// <summary>Who runs the pod network: Bootstrap's bridge (the default) or the admin (<see cref="PodNetwork.None"/>).</summary>
    public PodNetwork Cni { get; init; } = PodNetwork.Bridge;
}
