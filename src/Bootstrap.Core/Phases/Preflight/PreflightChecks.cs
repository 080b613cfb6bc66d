using System.Globalization;
using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Remote.Facts;

namespace Bootstrap.Core.Phases.Preflight;

/// <summary>Turns what was read from the hosts into kubeadm-style check results. Pure: no I/O.</summary>
public static class PreflightChecks
{
    /// <summary>The checks of <paramref name="probe"/>'s host; <paramref name="cluster"/> holds every host read (for uniqueness).</summary>
    public static IReadOnlyList<CheckResult> Evaluate(
        HostSpec host, PreflightRequirements requirements, PreflightProbe probe, IReadOnlyList<PreflightProbe> cluster, TimeSpan maxClockSkew)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(requirements);
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(cluster);
        var results = new List<CheckResult>
        {
            probe.PrivilegeProblem is null
                ? CheckResult.Ok("IsPrivilegedUser", "commands run as root")
                : CheckResult.Error("IsPrivilegedUser", probe.PrivilegeProblem),
            probe.Facts.InitSystem == InitSystem.Systemd
                ? CheckResult.Ok("SystemVerification", $"systemd is PID 1 ({probe.Facts.OsId} {probe.Facts.OsVersion}, {probe.Facts.Architecture})")
                : CheckResult.Error("SystemVerification", $"PID 1 is {probe.Facts.InitSystem}, not systemd; services are managed as systemd units"),
            probe.Facts.Cpus >= requirements.MinimumCpus
                ? CheckResult.Ok("NumCPU", Invariant($"{probe.Facts.Cpus} CPUs (at least {requirements.MinimumCpus} needed)"))
                : CheckResult.Error("NumCPU", Invariant($"the number of available CPUs {probe.Facts.Cpus} is less than the required {requirements.MinimumCpus}")),
        };

        var memoryMegabytes = probe.Facts.MemoryBytes / 1024 / 1024;
        results.Add(memoryMegabytes >= requirements.MinimumMemoryMegabytes
            ? CheckResult.Ok("Mem", Invariant($"{memoryMegabytes} MB of memory (at least {requirements.MinimumMemoryMegabytes} MB needed)"))
            : CheckResult.Error("Mem", Invariant($"the system RAM ({memoryMegabytes} MB) is less than the minimum {requirements.MinimumMemoryMegabytes} MB")));

        results.Add(probe.Swaps.Count == 0
            ? CheckResult.Ok("Swap", "no swap is active")
            : CheckResult.Error("Swap", $"swap is on ({string.Join(", ", probe.Swaps)}); the kubelet refuses to run with swap: swapoff -a and remove it from /etc/fstab"));

        foreach (var port in requirements.Ports)
        {
            var name = Invariant($"Port-{port}");
            results.Add(!probe.ListeningPorts.Contains(port) ? CheckResult.Ok(name, Invariant($"port {port} is free"))
                : HeldByOwnProgram(port, requirements, probe) is { } program
                    ? CheckResult.Ok(name, Invariant($"port {port} is held by {program}, which Bootstrap runs here (a re-run)"))
                    : CheckResult.Error(name, Invariant($"port {port} is in use{Owners(probe, port)}")));
        }

        foreach (var binary in requirements.AllBinaries)
        {
            var name = "FileExisting-" + binary;
            var path = probe.Binaries.GetValueOrDefault(binary);
            var optional = requirements.OptionalBinaries.Contains(binary);
            results.Add(path is not null ? CheckResult.Ok(name, path)
                : optional ? CheckResult.Warning(name, $"{binary} not found in the system path")
                : CheckResult.Error(name, $"{binary} not found in the system path"));
        }

        if (requirements.IsNode)
        {
            results.Add(probe.BridgeNetfilter
                ? CheckResult.Ok("KernelModule-br_netfilter", "br_netfilter is available (/proc/sys/net/bridge)")
                : CheckResult.Error("KernelModule-br_netfilter", "br_netfilter is not loaded (no /proc/sys/net/bridge): modprobe br_netfilter"));
            results.Add(probe.IpForward == "1"
                ? CheckResult.Ok("FileContent--proc-sys-net-ipv4-ip_forward", "net.ipv4.ip_forward is 1")
                : CheckResult.Error("FileContent--proc-sys-net-ipv4-ip_forward", $"/proc/sys/net/ipv4/ip_forward contents are not set to 1 (found \"{probe.IpForward}\")"));
            results.Add(KernelDefaults(requirements, probe));
        }

        var skew = probe.ClockOffset.Duration();
        results.Add(skew <= maxClockSkew
            ? CheckResult.Ok("ClockSkew", Invariant($"clock within {Seconds(skew)} of this workstation"))
            : CheckResult.Warning("ClockSkew", Invariant(
                $"clock is {Seconds(skew)} {(probe.ClockOffset > TimeSpan.Zero ? "ahead of" : "behind")} this workstation (more than {Seconds(maxClockSkew)}); certificates may look not yet valid or expired: synchronise time (NTP)")));

        results.AddRange(Uniqueness(probe, cluster));
        return results;
    }

    /// <summary>
    /// The names of the checks <see cref="Evaluate"/> makes on a host with <paramref name="requirements"/>, whatever it finds there
    /// (each check yields one result: ok, warning or error).
    /// </summary>
    public static IReadOnlyList<string> Names(PreflightRequirements requirements)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        return
        [
            "IsPrivilegedUser", "SystemVerification", "NumCPU", "Mem", "Swap",
            .. requirements.Ports.Select(port => Invariant($"Port-{port}")),
            .. requirements.AllBinaries.Select(binary => "FileExisting-" + binary),
            .. requirements.IsNode ? new[] { "KernelModule-br_netfilter", "FileContent--proc-sys-net-ipv4-ip_forward", "KernelDefaults" } : [],
            "ClockSkew", "HostnameUnique", "MACUnique", "ProductUUIDUnique",
        ];
    }

    /// <summary>
    /// The kernel settings the kubelet's protectKernelDefaults requires: differing ones are set by kubelet-start
    /// (a warning naming each), unless /proc/sys is read-only here (a container: set them on its host); a
    /// sysctl.d file applied after Bootstrap's drop-in that sets one otherwise is an error, since after a
    /// reboot the kubelet would refuse to start.
    /// </summary>
    private static CheckResult KernelDefaults(PreflightRequirements requirements, PreflightProbe probe)
    {
        const string name = "KernelDefaults";
        if (!requirements.ProtectKernelDefaults)
        {
            return CheckResult.Ok(name, "protectKernelDefaults is off (kubelet.configPatch): the kubelet sets the kernel settings it needs itself");
        }

        if (probe.SysctlOverrides is { Count: > 0 } overrides)
        {
            return CheckResult.Error(name, string.Join("; ", overrides) + ": after a reboot the kubelet (protectKernelDefaults) would refuse to start; remove or change those lines");
        }

        var notChecked = probe.SysctlOverrides is null ? " (sysctl.d files not checked: systemd-analyze cat-config sysctl.d failed)" : string.Empty;
        if (probe.KernelTunableMismatches.Count == 0)
        {
            return CheckResult.Ok(name, $"the kernel has what the kubelet requires ({string.Join(", ", KernelTunables.Required)}){notChecked}");
        }

        var differences = string.Join("; ", probe.KernelTunableMismatches);
        return probe.ProcSysWritable
            ? CheckResult.Warning(name, $"{differences}: kubelet-start writes {KernelTunables.DropInPath} and applies it before the kubelet starts{notChecked}")
            : CheckResult.Error(name, $"{differences}, and /proc/sys is read-only here: set them where the kernel is (a container shares its host's), or turn protectKernelDefaults off in kubelet.configPatch");
    }

    /// <summary>
    /// How many other hosts a uniqueness check names. Cloned machines share their name, MACs and product_uuid
    /// with every other clone: naming them all would make each host's message grow with the cluster, and the
    /// whole report with its square (30 MB of output for 200 clones).
    /// </summary>
    private const int HostsNamed = 5;

    private static IEnumerable<CheckResult> Uniqueness(PreflightProbe probe, IReadOnlyList<PreflightProbe> cluster)
    {
        var others = cluster.Where(p => p.Host != probe.Host).ToList();

        var sameName = others.Where(p => string.Equals(p.Facts.Hostname, probe.Facts.Hostname, StringComparison.OrdinalIgnoreCase)).Select(p => p.Host).ToList();
        yield return sameName.Count == 0
            ? CheckResult.Ok("HostnameUnique", $"host name {probe.Facts.Hostname} is unique")
            : CheckResult.Error("HostnameUnique", $"host name {probe.Facts.Hostname} is also the host name of {Names(sameName)}");

        // MACs shared with the same hosts are listed together: a clone's MACs are all on the same other clones.
        var sharedMacs = probe.MacAddresses.Distinct(StringComparer.Ordinal)
            .Select(mac => (Mac: mac, Hosts: others.Where(p => p.MacAddresses.Contains(mac, StringComparer.Ordinal)).Select(p => p.Host).ToList()))
            .Where(shared => shared.Hosts.Count > 0)
            .GroupBy(shared => Names(shared.Hosts), StringComparer.Ordinal)
            .Select(group => $"{string.Join(", ", group.Select(shared => shared.Mac))} (also on {group.Key})")
            .ToList();
        yield return sharedMacs.Count == 0
            ? CheckResult.Ok("MACUnique", Invariant($"{probe.MacAddresses.Count} MAC address(es), none shared"))
            : CheckResult.Error("MACUnique", "MAC addresses shared with other hosts: " + string.Join(", ", sharedMacs));

        if (probe.ProductUuid is null)
        {
            yield return CheckResult.Warning("ProductUUIDUnique", (probe.ProductUuidProblem ?? "no product_uuid") + "; uniqueness of the machine id is not verified");
            yield break;
        }

        var sameUuid = others.Where(p => p.ProductUuid == probe.ProductUuid).Select(p => p.Host).ToList();
        yield return sameUuid.Count == 0
            ? CheckResult.Ok("ProductUUIDUnique", $"product_uuid {probe.ProductUuid} is unique")
            : CheckResult.Error("ProductUUIDUnique", $"product_uuid {probe.ProductUuid} is also the product_uuid of {Names(sameUuid)} (cloned machine?)");
    }

    /// <summary>"a, b, c", or the first <see cref="HostsNamed"/> and how many more.</summary>
    private static string Names(IReadOnlyList<string> hosts) => hosts.Count <= HostsNamed
        ? string.Join(", ", hosts)
        : Invariant($"{string.Join(", ", hosts.Take(HostsNamed))} and {hosts.Count - HostsNamed} more");

    private static string Seconds(TimeSpan span) => Invariant($"{span.TotalSeconds:0.###}s");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The program Bootstrap runs on the port when it alone holds it (names are cut at 15 characters, like the kernel's comm).</summary>
    private static string? HeldByOwnProgram(int port, PreflightRequirements requirements, PreflightProbe probe) =>
        requirements.OwnPrograms.TryGetValue(port, out var program)
        && probe.PortOwners.TryGetValue(port, out var owners)
        && owners.Count > 0
        && owners.All(o => string.Equals(o, program.Length > 15 ? program[..15] : program, StringComparison.Ordinal))
            ? program
            : null;

    private static string Owners(PreflightProbe probe, int port) =>
        probe.PortOwners.TryGetValue(port, out var owners) && owners.Count > 0 ? " by " + string.Join(", ", owners) : string.Empty;
}
