using System.Net;

namespace Bootstrap.Core.Config;

/// <summary>One machine of the cluster, as validated from <c>spec.hosts[]</c>.</summary>
public sealed record HostSpec
{
    /// <summary>The host's name; also its Kubernetes node name and etcd member name (an RFC 1123 label).</summary>
    public required string Name { get; init; }

    /// <summary>The address Bootstrap connects to and the cluster uses for this host; inside <see cref="NetworkingSpec.HostSubnet"/>.</summary>
    public required IPAddress Address { get; init; }

    /// <summary>The host's roles, without duplicates, in file order.</summary>
    public required IReadOnlyList<HostRole> Roles { get; init; }

    /// <summary>The effective SSH settings: <c>spec.ssh</c> with this host's <c>ssh</c> overrides applied.</summary>
    public required SshSettings Ssh { get; init; }

    public bool HasRole(HostRole role) => Roles.Contains(role);
}
