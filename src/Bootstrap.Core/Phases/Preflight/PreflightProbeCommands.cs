using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Remote.Facts;

namespace Bootstrap.Core.Phases.Preflight;

/// <summary>
/// Preflight's reading commands as one <see cref="CommandBatch"/>, run as root or (when root is out of reach)
/// as the login user, and how their output becomes a <see cref="PreflightProbe"/>.
/// </summary>
internal sealed class PreflightProbeCommands
{
    private readonly bool _privileged;
    private readonly BatchedCommand _clockFirst;
    private readonly BatchedCommand? _whoami;
    private readonly FileReads _files = new();
    private readonly HostFactsCommands _facts;
    private readonly BatchedCommand _listening;
    private readonly int _swaps;
    private readonly BatchedCommand _bridgeDirectory;
    private readonly BatchedCommand _bridgeModule;
    private readonly BatchedCommand _ipForward;
    private readonly BatchedCommand _tunables;
    private readonly BatchedCommand? _procSys;
    private readonly BatchedCommand _sysctlConfig;
    private readonly BatchedCommand _links;
    private readonly int _uuid;
    private readonly BatchedCommand _clockLast;

    /// <summary>The commands for a batch run as root (<paramref name="privileged"/>) or as the login user.</summary>
    public PreflightProbeCommands(IReadOnlyList<string> binaries, bool privileged)
    {
        ArgumentNullException.ThrowIfNull(binaries);
        _privileged = privileged;
        Batch = new CommandBatch(sudo: privileged);

        // The host's clock first and last: the midpoint of the two is compared with the midpoint of the round trip.
        _clockFirst = Batch.Add("date", "+%s%N");
        _whoami = privileged ? Batch.Add("id", "-u") : null;
        // As root, binaries are looked up on root's PATH (sbin directories count). The small files the facts and the checks
        // read are read by one shell (FileReads), not by a program each; `test` is the batch shell's builtin.
        _facts = new HostFactsCommands(Batch, binaries, _files);
        // As root, ss also names the program holding each port: a re-run finds Bootstrap's own services there.
        _listening = Batch.Add(privileged ? ["ss", "-ltnpH"] : ["ss", "-ltnH"]);
        _swaps = _files.Add("/proc/swaps");
        _bridgeDirectory = Batch.Add("test", "-d", "/proc/sys/net/bridge");
        // A loaded module has its directory in /sys/module (what /proc/modules lists).
        _bridgeModule = Batch.Add("test", "-d", "/sys/module/br_netfilter");
        // /proc/sys values are read whole (a shell's byte-by-byte read gets their first byte only). Forwarding with cat: sysctl
        // is in /usr/sbin, which a login user's PATH may lack (the kubelet's settings it cannot read are named by their check).
        _ipForward = Batch.Add("cat", "/proc/sys/net/ipv4/ip_forward");
        _tunables = Batch.Add(KernelTunables.ReadCommand);
        _procSys = privileged ? Batch.Add("test", "-w", KernelTunables.Required[0].ProcPath) : null;
        _sysctlConfig = Batch.Add("systemd-analyze", "cat-config", "sysctl.d");
        _links = Batch.Add("ip", "-o", "link", "show");
        // Containers and some VMs have no DMI table, or hide it from unprivileged users: that is worth a warning, not a failure.
        _uuid = _files.Add("/sys/class/dmi/id/product_uuid");
        _files.AddTo(Batch);
        _clockLast = Batch.Add("date", "+%s%N");
    }

    public CommandBatch Batch { get; }

    /// <summary>
    /// Null when the batch ran as root; else why it did not (sudo refused, so the script never started, or
    /// <c>id -u</c> under it was not 0), in the words of the <c>IsPrivilegedUser</c> check.
    /// </summary>
    public string? PrivilegeProblem(CommandBatchRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (!_privileged)
        {
            throw new InvalidOperationException("An unprivileged batch tells nothing about root.");
        }

        var whoami = run.Started ? run[_whoami!] : run.Session;
        return whoami.Succeeded && whoami.Stdout.Trim() == "0" ? null
            : $"cannot run commands as root (sudo -n id -u exited {whoami.ExitCode}: {PreflightParsers.FirstLine(whoami.Stderr)})";
    }

    /// <summary>
    /// The probe from a batch that ran, sent at <paramref name="sent"/> and answered at <paramref name="received"/>
    /// (the workstation's clock); a reading command that failed throws naming the host and the command.
    /// </summary>
    public PreflightProbe Read(CommandBatchRun run, string? privilegeProblem, DateTimeOffset sent, DateTimeOffset received, SecretRedactor redactor)
    {
        ArgumentNullException.ThrowIfNull(run);
        run.EnsureStarted(redactor);
        string Checked(BatchedCommand command) => run.Checked(command, redactor);

        var first = PreflightParsers.ParseEpochNanoseconds(Checked(_clockFirst));
        var files = _files.Read(run, redactor);
        var facts = _facts.Read(run, redactor, files);
        var listening = Checked(_listening);
        var ports = PreflightParsers.ParseListeningPorts(listening);
        var swaps = PreflightParsers.ParseSwaps(files[_swaps].Checked(run.Host));
        var ipForward = PreflightParsers.FirstLine(Checked(_ipForward));
        var sysctlConfig = run[_sysctlConfig];
        var macs = PreflightParsers.ParseMacAddresses(Checked(_links));
        var uuid = files[_uuid];
        var productUuid = uuid.Content is { } text ? PreflightParsers.FirstLine(text).ToLowerInvariant() : null;
        var last = PreflightParsers.ParseEpochNanoseconds(Checked(_clockLast));

        return new PreflightProbe
        {
            Host = run.Host,
            PrivilegeProblem = privilegeProblem,
            Facts = facts,
            ListeningPorts = ports,
            PortOwners = _privileged ? PreflightParsers.ParsePortOwners(listening) : new Dictionary<int, IReadOnlySet<string>>(),
            Swaps = swaps,
            Binaries = facts.Binaries,
            BridgeNetfilter = run[_bridgeDirectory].Succeeded || run[_bridgeModule].Succeeded,
            IpForward = ipForward,
            ClockOffset = ClockOffset(first, last, sent, received),
            KernelTunableMismatches = KernelTunables.Mismatches(run[_tunables].Stdout),
            ProcSysWritable = _procSys is not null && run[_procSys].Succeeded,
            SysctlOverrides = sysctlConfig.Succeeded ? KernelTunables.LaterOverrides(sysctlConfig.Stdout) : null,
            MacAddresses = macs,
            ProductUuid = string.IsNullOrEmpty(productUuid) ? null : productUuid,
            ProductUuidProblem = uuid.Problem is { } problem ? $"{uuid.Path} cannot be read ({problem})" : null,
        };
    }

    /// <summary>
    /// The host's clock minus the workstation's: the midpoint of the host's first and last reading (the other
    /// commands ran between them) minus the midpoint of the round trip. Off by at most half the round trip
    /// outside the host's run, as a lone <c>date</c> would be.
    /// </summary>
    internal static TimeSpan ClockOffset(DateTimeOffset hostFirst, DateTimeOffset hostLast, DateTimeOffset sent, DateTimeOffset received) =>
        (hostFirst + ((hostLast - hostFirst) / 2)) - (sent + ((received - sent) / 2));
}
