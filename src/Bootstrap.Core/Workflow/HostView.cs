using Bootstrap.Core.Install;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// What a phase may do with a host while it plans: read. It can run commands that only look (the phase's word),
/// read files and their sha256, mode and owner, and read units' states; it has no way to upload, and the runner
/// hands the writable connection (<see cref="ApplyContext.Host"/>) only to changes being applied in a real run.
/// </summary>
public sealed class HostView : ICommandRunner
{
    private readonly IRemoteHost _host;
    private readonly SecretRedactor _redactor;
    private readonly PlannedFiles? _planned;
    private readonly InstalledFiles _installed;
    private readonly Lock _gate = new();
    private Task<IReadOnlyDictionary<string, ServiceStatus>>? _units;
    private readonly Dictionary<string, long?> _modified = new(StringComparer.Ordinal);

    internal HostView(IRemoteHost host, SecretRedactor redactor, PlannedFiles? planned, InstalledFiles installed)
    {
        _host = host;
        _redactor = redactor;
        _planned = planned;
        _installed = installed;
    }

    public string Name => _host.Name;

    /// <summary>Runs a command that reads (<c>stat</c>, <c>test -f</c>, <c>systemctl show</c>); a non-zero exit is returned.</summary>
    public Task<CommandResult> QueryAsync(RemoteCommand command, CancellationToken cancellationToken) => _host.RunAsync(command, cancellationToken);

    /// <summary>The same as <see cref="QueryAsync"/>, for code that reads hosts through <see cref="ICommandRunner"/>.</summary>
    Task<CommandResult> ICommandRunner.RunAsync(RemoteCommand command, CancellationToken cancellationToken) => QueryAsync(command, cancellationToken);

    /// <summary>
    /// Says that the phase's next plan will run <paramref name="command"/> (which it cannot run now), so that the next run reads it
    /// ahead (<see cref="ReadAhead.Expect"/>); nothing when the run reads nothing ahead.
    /// </summary>
    internal void Expect(RemoteCommand command)
    {
        if (_host is ReadAheadHost reads)
        {
            reads.Expect(command);
        }
    }

    /// <summary>Like <see cref="QueryAsync"/>, but a non-zero exit throws naming the host and the command.</summary>
    public Task<CommandResult> QueryCheckedAsync(RemoteCommand command, CancellationToken cancellationToken) => _host.RunCheckedAsync(command, _redactor, cancellationToken);

    /// <summary>The content of a file (read as root when needed); null when it does not exist.</summary>
    public Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken) => _host.DownloadAsync(path, cancellationToken);

    /// <summary>
    /// The state of each path, null where it does not exist: one command whatever the number of files (<c>stat</c> and the
    /// host's manifest of installed files), and one more to hash the files the manifest does not describe as they are
    /// (<see cref="InstalledFiles"/>). In a dry run, a file an earlier phase of the run would write reads as written, so that
    /// a plan lists each change once.
    /// </summary>
    internal async Task<IReadOnlyDictionary<string, RemoteFileState?>> FilesAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var probe = await _installed.ProbeAsync(_host, paths, _redactor, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            foreach (var (path, stat) in probe.Stats)
            {
                _modified[path] = stat is null ? null : stat.Identity.ModifiedNs / 1_000_000_000;
            }
        }

        return _planned is null ? probe.States : _planned.Over(probe.States);
    }

    /// <summary>
    /// When each of <paramref name="paths"/> last changed (unix seconds, as <c>stat -c %Y</c>; null when it does not exist), as this
    /// view's file reads found them on the host; null unless every one of them was read (the caller then asks the host).
    /// </summary>
    internal IReadOnlyDictionary<string, long?>? Modified(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        lock (_gate)
        {
            return paths.All(_modified.ContainsKey) ? paths.Distinct(StringComparer.Ordinal).ToDictionary(p => p, p => _modified[p], StringComparer.Ordinal) : null;
        }
    }

    /// <summary>In a dry run, what a planned file change would leave on the host, for later phases' plans; nothing otherwise.</summary>
    internal void WouldWrite(string path, RemoteFileState state) => _planned?.Record(path, state);

    /// <summary>
    /// A unit's state as systemd reports it. The units Bootstrap runs (<see cref="ServiceCatalog.Units"/>) are read together, once per
    /// view: one command for every unit a plan asks about.
    /// </summary>
    internal async Task<ServiceStatus> UnitAsync(string unit, CancellationToken cancellationToken)
    {
        if (!ServiceCatalog.Units.Contains(unit))
        {
            return await ServiceControl.StatusAsync(_host, unit, _redactor, cancellationToken).ConfigureAwait(false);
        }

        Task<IReadOnlyDictionary<string, ServiceStatus>> reading;
        lock (_gate)
        {
            // A read that failed is not kept: the next question reads again.
            if (_units is null || _units.IsFaulted || _units.IsCanceled)
            {
                _units = ServiceControl.StatusesAsync(_host, _redactor, cancellationToken);
            }

            reading = _units;
        }

        return (await reading.ConfigureAwait(false))[unit];
    }
}
