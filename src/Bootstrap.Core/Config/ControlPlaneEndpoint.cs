using System.Net;

namespace Bootstrap.Core.Config;

/// <summary>Where clients reach the Kubernetes API: the virtual IP or a DNS name, and a port.</summary>
public sealed record ControlPlaneEndpoint
{
    /// <summary>An IP address or a DNS name, as written (IPv6 without brackets).</summary>
    public required string Host { get; init; }

    public required int Port { get; init; }

    /// <summary><see cref="Host"/> parsed as an address, or null when it is a DNS name.</summary>
    public IPAddress? Address => IPAddress.TryParse(Host, out var address) ? address : null;

    /// <summary>The API server URL, e.g. <c>https://192.168.56.10:6443</c>.</summary>
    public Uri Url => new UriBuilder("https", Host, Port).Uri;
}
