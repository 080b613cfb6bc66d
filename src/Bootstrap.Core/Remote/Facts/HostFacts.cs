namespace Bootstrap.Core.Remote.Facts;

/// <summary>What preflight checks need to know about a machine.</summary>
public sealed record HostFacts
{
    public required string Host { get; init; }

    /// <summary>ID from /etc/os-release, e.g. <c>debian</c>, <c>ubuntu</c>, <c>rocky</c>.</summary>
    public required string OsId { get; init; }

    /// <summary>VERSION_ID from /etc/os-release, e.g. <c>12</c>, <c>24.04</c>; empty when absent (rolling releases).</summary>
    public required string OsVersion { get; init; }

    /// <summary>Kubernetes' name for the CPU architecture: <c>amd64</c>, <c>arm64</c>, …</summary>
    public required string Architecture { get; init; }

    public required string Hostname { get; init; }

    public required InitSystem InitSystem { get; init; }

    public required int Cpus { get; init; }

    public required long MemoryBytes { get; init; }

    /// <summary>Global IPv4 addresses (loopback excluded), in interface order.</summary>
    public required IReadOnlyList<string> IPv4Addresses { get; init; }

    /// <summary>Each binary asked about, with its full path, or null when it is not on the PATH.</summary>
    public required IReadOnlyDictionary<string, string?> Binaries { get; init; }
}
