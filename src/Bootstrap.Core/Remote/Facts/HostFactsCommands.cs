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
    private readonly FileReads _files;
    private readonly int _osRelease;
    private readonly int _init;
    private readonly int _memory;
    private readonly BatchedCommand _uname;
    private readonly BatchedCommand _cpus;
    private readonly BatchedCommand _addresses;
    private readonly BatchedCommand? _binaries;

    /// <summary>
    /// Adds the commands to <paramref name="batch"/>; <paramref name="binaries"/> are looked up on the PATH of whoever runs it.
    /// The files read go to <paramref name="files"/> when given (read with others, the caller adds them to the batch), else
    /// are read by a command of their own.
    /// </summary>
    public HostFactsCommands(CommandBatch batch, IReadOnlyList<string> binaries, FileReads? files = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(binaries);
        _binaryNames = [.. binaries];
        _files = files ?? new FileReads();
        _osRelease = _files.Add("/etc/os-release");
        _init = _files.Add("/proc/1/comm");
        _memory = _files.Add("/proc/meminfo");
        // One program for both: uname prints the node name before the machine, whatever the order asked.
        _uname = batch.Add("uname", "-n", "-m");
        _cpus = batch.Add("nproc");
        _addresses = batch.Add("ip", "-o", "-4", "addr", "show");
        _binaries = binaries.Count == 0 ? null : batch.Add(["sh", "-c", FindBinaries, "sh", .. binaries]);
        if (files is null)
        {
            _files.AddTo(batch);
        }
    }

    /// <summary>The facts from a batch that ran (<paramref name="files"/>: what its file reads read); a command that failed throws naming the host and the command.</summary>
    public HostFacts Read(CommandBatchRun run, SecretRedactor redactor, IReadOnlyList<FileRead>? files = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        files ??= _files.Read(run, redactor);
        var osRelease = HostFactsParser.ParseOsRelease(files[_osRelease].Checked(run.Host));
        var (hostname, machine) = HostFactsParser.ParseUname(run.Checked(_uname, redactor));
        return new HostFacts
        {
            Host = run.Host,
            OsId = osRelease.GetValueOrDefault("ID", "linux"),
            OsVersion = osRelease.GetValueOrDefault("VERSION_ID", string.Empty),
            Architecture = HostFactsParser.NormalizeArchitecture(machine),
            Hostname = hostname,
            InitSystem = HostFactsParser.ParseInitSystem(files[_init].Checked(run.Host)),
            Cpus = HostFactsParser.ParseCpus(run.Checked(_cpus, redactor)),
            MemoryBytes = HostFactsParser.ParseMemTotalBytes(files[_memory].Checked(run.Host)),
            IPv4Addresses = HostFactsParser.ParseIPv4Addresses(run.Checked(_addresses, redactor)),
            Binaries = HostFactsParser.ParseBinaries(_binaryNames, _binaries is null ? string.Empty : run.Checked(_binaries, redactor)),
        };
    }
}
