using Bootstrap.Core.Remote.Facts;

namespace Bootstrap.Core.Phases.Preflight;

/// <summary>What preflight read from one host. Gathered once per run by <see cref="PreflightProbeCollector"/>.</summary>
public sealed record PreflightProbe
{
    public required string Host { get; init; }

    /// <summary>Null when the host runs root commands (as root or through passwordless sudo); else why not.</summary>
    public string? PrivilegeProblem { get; init; }

    public required HostFacts Facts { get; init; }

    public required IReadOnlySet<int> ListeningPorts { get; init; }

    /// <summary>Which programs hold each listening port (empty when that could not be read).</summary>
    public IReadOnlyDictionary<int, IReadOnlySet<string>> PortOwners { get; init; } = new Dictionary<int, IReadOnlySet<string>>();

    public required IReadOnlyList<string> Swaps { get; init; }

    /// <summary>Each binary asked about with its path (looked up as root, so sbin directories count), or null.</summary>
    public required IReadOnlyDictionary<string, string?> Binaries { get; init; }

    /// <summary>br_netfilter is loaded or built in (<c>/proc/sys/net/bridge</c> exists).</summary>
    public required bool BridgeNetfilter { get; init; }

    /// <summary>The content of <c>/proc/sys/net/ipv4/ip_forward</c>.</summary>
    public required string IpForward { get; init; }

    /// <summary>How the kernel differs from what the kubelet requires (<see cref="Kubernetes.KernelTunables.Mismatches"/>); empty when it does not.</summary>
    public required IReadOnlyList<string> KernelTunableMismatches { get; init; }

    /// <summary>Whether root may write <c>/proc/sys</c> (it is mounted read-only in many containers).</summary>
    public required bool ProcSysWritable { get; init; }

    /// <summary>
    /// sysctl.d settings applied after Bootstrap's drop-in that would undo it at boot (<see cref="Kubernetes.KernelTunables.LaterOverrides"/>),
    /// or null when <c>systemd-analyze cat-config sysctl.d</c> could not be run.
    /// </summary>
    public required IReadOnlyList<string>? SysctlOverrides { get; init; }

    public required IReadOnlyList<string> MacAddresses { get; init; }

    /// <summary>The DMI product_uuid, or null when it cannot be read (<see cref="ProductUuidProblem"/> says why).</summary>
    public string? ProductUuid { get; init; }

    public string? ProductUuidProblem { get; init; }

    /// <summary>The host's clock minus the workstation's: the midpoint of its first and last reading against the midpoint of the round trip.</summary>
    public required TimeSpan ClockOffset { get; init; }
}
