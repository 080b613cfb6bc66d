namespace Bootstrap.Core.Remote.Facts;

/// <summary>
/// The reading commands behind <see cref="HostFacts"/>, added to a <see cref="CommandBatch"/> (alone, or with
/// preflight's), and how their output becomes the facts (<see cref="HostFactsParser"/>).
/// </summary>
internal sealed class HostFactsCommands
{
    // `command -v` is a shell builtin (`which` is missing on minimal images), so a fixed one-line
    // script loops over the names, which arrive as positional parameters and are never parsed as code.
    private const string FindBinaries = "for b do command -v \"$b\" || true; done";

    private readonly IReadOnlyList<string> _binaryNames;
    private readonly BatchedCommand _osRelease;
    private readonly BatchedCommand _machine;
    private readonly BatchedCommand _hostname;
    private readonly BatchedCommand _init;
    private readonly BatchedCommand _cpus;
    private readonly BatchedCommand _memory;
    private readonly BatchedCommand _addresses;
    private readonly BatchedCommand? _binaries;

    /// <summary>Adds the commands to <paramref name="batch"/>; <paramref name="binaries"/> are looked up on the PATH of whoever runs it.</summary>
    public HostFactsCommands(CommandBatch batch, IReadOnlyList<string> binaries)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(binaries);
        _binaryNames = [.. binaries];
        _osRelease = batch.Add("cat", "/etc/os-release");
        _machine = batch.Add("uname", "-m");
        _hostname = batch.Add("uname", "-n");
        _init = batch.Add("cat", "/proc/1/comm");
        _cpus = batch.Add("nproc");
        _memory = batch.Add("cat", "/proc/meminfo");
        _addresses = batch.Add("ip", "-o", "-4", "addr", "show");
        _binaries = binaries.Count == 0 ? null : batch.Add(["sh", "-c", FindBinaries, "sh", .. binaries]);
    }

    /// <summary>The facts from a batch that ran; a command that failed throws naming the host and the command.</summary>
    public HostFacts Read(CommandBatchRun run, SecretRedactor redactor)
    {
        ArgumentNullException.ThrowIfNull(run);
        var osRelease = HostFactsParser.ParseOsRelease(run.Checked(_osRelease, redactor));
        return new HostFacts
        {
            Host = run.Host,
            OsId = osRelease.GetValueOrDefault("ID", "linux"),
            OsVersion = osRelease.GetValueOrDefault("VERSION_ID", string.Empty),
            Architecture = HostFactsParser.NormalizeArchitecture(run.Checked(_machine, redactor)),
            Hostname = run.Checked(_hostname, redactor).Trim(),
            InitSystem = HostFactsParser.ParseInitSystem(run.Checked(_init, redactor)),
            Cpus = HostFactsParser.ParseCpus(run.Checked(_cpus, redactor)),
            MemoryBytes = HostFactsParser.ParseMemTotalBytes(run.Checked(_memory, redactor)),
            IPv4Addresses = HostFactsParser.ParseIPv4Addresses(run.Checked(_addresses, redactor)),
            Binaries = HostFactsParser.ParseBinaries(_binaryNames, _binaries is null ? string.Empty : run.Checked(_binaries, redactor)),
        };
    }
}
