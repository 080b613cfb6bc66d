using System.Net;

namespace Bootstrap.Core.Config.Parsing;

/// <summary>What could be read of one <c>spec.hosts[i]</c>; null fields were missing or invalid (already reported).</summary>
internal sealed record HostDraft
{
    public required string Path { get; init; }

    public string? Name { get; init; }

    public IPAddress? Address { get; init; }

    public IReadOnlyList<HostRole>? Roles { get; init; }

    /// <summary>The host's own ssh fields; null when absent or invalid.</summary>
    public SshFields? Ssh { get; init; }
}
