using System.Globalization;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Remote.Facts;

namespace Bootstrap.Core.Phases.Preflight;

/// <summary>Reads a <see cref="PreflightProbe"/> from a host with read-only argv commands; changes nothing.</summary>
public static class PreflightProbeCollector
{
    // `command -v` is a shell builtin; the names arrive as positional parameters and are never parsed as code.
    private const string FindBinaries = "for b do command -v \"$b\" || true; done";

    public static async Task<PreflightProbe> GatherAsync(
        ICommandRunner host, IReadOnlyList<string> binaries, SecretRedactor redactor, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(binaries);
        ArgumentNullException.ThrowIfNull(time);

        async Task<string> Read(RemoteCommand command) =>
            (await host.RunCheckedAsync(command, redactor, cancellationToken).ConfigureAwait(false)).Stdout;

        var whoami = await host.RunAsync(RemoteCommand.Of("id", "-u").AsRoot(), cancellationToken).ConfigureAwait(false);
        var privilegeProblem = whoami.Succeeded && whoami.Stdout.Trim() == "0" ? null
            : $"cannot run commands as root (sudo -n id -u exited {whoami.ExitCode}: {PreflightParsers.FirstLine(whoami.Stderr)})";
        var privileged = privilegeProblem is null;

        // The clock first, right after a round trip has warmed the session up.
        var before = time.GetUtcNow();
        var date = await Read(RemoteCommand.Of("date", "+%s%N")).ConfigureAwait(false);
        var after = time.GetUtcNow();
        var clockOffset = PreflightParsers.ParseEpochNanoseconds(date) - (before + ((after - before) / 2));

        var facts = await HostFactsCollector.GatherAsync(host, [], redactor, cancellationToken).ConfigureAwait(false);
        // As root, ss also names the program holding each port: a re-run finds Bootstrap's own services there.
        var listening = await Read(new RemoteCommand(privileged ? ["ss", "-ltnpH"] : ["ss", "-ltnH"], sudo: privileged)).ConfigureAwait(false);
        var ports = PreflightParsers.ParseListeningPorts(listening);
        var swaps = PreflightParsers.ParseSwaps(await Read(RemoteCommand.Of("cat", "/proc/swaps")).ConfigureAwait(false));
        var found = binaries.Count == 0 ? string.Empty
            : await Read(new RemoteCommand(["sh", "-c", FindBinaries, "sh", .. binaries], sudo: privileged)).ConfigureAwait(false);
        var bridgeDirectory = await host.RunAsync(RemoteCommand.Of("test", "-d", "/proc/sys/net/bridge"), cancellationToken).ConfigureAwait(false);
        var modules = await host.RunAsync(RemoteCommand.Of("cat", "/proc/modules"), cancellationToken).ConfigureAwait(false);
        var ipForward = PreflightParsers.FirstLine(await Read(RemoteCommand.Of("cat", "/proc/sys/net/ipv4/ip_forward")).ConfigureAwait(false));
        var tunables = await host.RunAsync(new RemoteCommand(KernelTunables.ReadCommand), cancellationToken).ConfigureAwait(false);
        var procSys = await host.RunAsync(new RemoteCommand(["test", "-w", KernelTunables.Required[0].ProcPath], sudo: privileged), cancellationToken).ConfigureAwait(false);
        var sysctlConfig = await host.RunAsync(RemoteCommand.Of("systemd-analyze", "cat-config", "sysctl.d"), cancellationToken).ConfigureAwait(false);
        var macs = PreflightParsers.ParseMacAddresses(await Read(RemoteCommand.Of("ip", "-o", "link", "show")).ConfigureAwait(false));

        // Containers and some VMs have no DMI table, or hide it from unprivileged users: that is worth a warning, not a failure.
        var uuid = await host.RunAsync(new RemoteCommand(["cat", "/sys/class/dmi/id/product_uuid"], sudo: privileged), cancellationToken).ConfigureAwait(false);
        var productUuid = uuid.Succeeded ? PreflightParsers.FirstLine(uuid.Stdout).ToLowerInvariant() : null;

        return new PreflightProbe
        {
            Host = host.Name,
            PrivilegeProblem = privilegeProblem,
            Facts = facts,
            ListeningPorts = ports,
            PortOwners = privileged ? PreflightParsers.ParsePortOwners(listening) : new Dictionary<int, IReadOnlySet<string>>(),
            Swaps = swaps,
            Binaries = binaries.Count == 0 ? new Dictionary<string, string?>() : HostFactsParser.ParseBinaries(binaries, found),
            BridgeNetfilter = bridgeDirectory.Succeeded || (modules.Succeeded && PreflightParsers.IsModuleLoaded(modules.Stdout, "br_netfilter")),
            IpForward = ipForward,
            ClockOffset = clockOffset,
            KernelTunableMismatches = KernelTunables.Mismatches(tunables.Stdout),
            ProcSysWritable = privileged && procSys.Succeeded,
            SysctlOverrides = sysctlConfig.Succeeded ? KernelTunables.LaterOverrides(sysctlConfig.Stdout) : null,
            MacAddresses = macs,
            ProductUuid = string.IsNullOrEmpty(productUuid) ? null : productUuid,
            ProductUuidProblem = uuid.Succeeded ? null
                : string.Create(CultureInfo.InvariantCulture, $"/sys/class/dmi/id/product_uuid cannot be read (exit {uuid.ExitCode}: {PreflightParsers.FirstLine(uuid.Stderr)})"),
        };
    }
}
