using System.Collections.Concurrent;
using Bootstrap.Core.Remote;
using Serilog;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// Reads each host once at the start of a run, in one round trip, instead of phase by phase: what the last run's phases read
/// while they planned, and while their checks ran ahead with plans that changed nothing (<see cref="ReadAheadFile"/>), every command and file of a host in one <see cref="CommandBatch"/> session
/// (two when some ran as a login user other than root), started as soon as the hosts are connected. A phase's plan then takes a read from
/// that snapshot when the snapshot holds it, and reads the host itself otherwise:
/// <list type="bullet">
/// <item>only while the run has changed nothing: the first change applied anywhere (a host, the API, the workstation) drops the
/// snapshot for the rest of the run, so that nothing is ever planned from a state the run itself changed;</item>
/// <item>each read at most once per phase and target: a phase that reads again (a wait polling for a component) reads the host;</item>
/// <item>a read the snapshot does not hold, made on the host by one plan while the run has changed nothing, answers the same read
/// of another phase's plan too (two phases planned side by side that read the same etcd members, say), under the same rules;</item>
/// <item>only within <see cref="MaxAge"/> of the snapshot, and only when it came in time (<see cref="ReaderWait"/>); a snapshot
/// that failed in any way is no snapshot, and a read it cannot answer exactly as the host would (a file it could not read,
/// output it could not frame) is read from the host.</item>
/// </list>
/// What a snapshot returns is what the command returned on the host at its start: the same command, argv and user. Commands
/// that carry a secret (a registered one appears in their argv), take input, hash files in full or are batches themselves are
/// neither recorded nor read ahead. A dry run reads ahead and never writes the record.
/// </summary>
public sealed class ReadAhead : IAsyncDisposable
{
    /// <summary>How old a snapshot may be for a plan to take a read from it.</summary>
    internal static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);

    /// <summary>How long a plan waits for its host's snapshot before it reads the host itself (and every later plan too).</summary>
    internal static readonly TimeSpan ReaderWait = TimeSpan.FromSeconds(5);

    /// <summary>The bound of a snapshot's session on the host.</summary>
    internal static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(30);

    /// <summary>At most this many bytes of arguments go into one session (sshd takes a request of up to 256 KiB).</summary>
    internal const int MaxBatchBytes = 128 * 1024;

    /// <summary>What follows a phase's path in the name its check's reads are recorded under (no phase path holds it).</summary>
    private const string CheckSuffix = "#check";

    private static readonly AsyncLocal<string?> PlanningPhase = new();
    private static readonly AsyncLocal<string?> PlanningTarget = new();

    private readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<ReadKey>>> _previous;
    private readonly SecretRedactor _redactor;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Pending> _snapshots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Host, string Phase), ConcurrentDictionary<ReadKey, long>> _recorded = new();
    private readonly ConcurrentDictionary<string, bool> _plannedPhases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Host, string Phase, ReadKey Key), bool> _served = new();
    private readonly ConcurrentDictionary<(string Host, ReadKey Key), Lazy<Task<Entry>>> _live = new();
    private readonly ConcurrentBag<Task<Snapshot?>> _abandoned = [];
    private readonly CancellationTokenSource _stop = new();
    private IReadOnlySet<string>? _phases;
    private Task<bool> _notBefore = Task.FromResult(true);
    private long _order;
    private int _disposed;
    private int _servedCount;
    private int _liveCount;
    private int _sharedCount;
    private string? _droppedBy;

    internal ReadAhead(
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<ReadKey>>> previous, SecretRedactor redactor, ILogger logger, TimeProvider time)
    {
        _previous = previous;
        _redactor = redactor;
        _logger = logger;
        _time = time;
        Api = new SharedApiReads(this, time);
    }

    /// <summary>The API reads of this run's plans, shared while the run has changed nothing (<see cref="SharedApiReads"/>).</summary>
    internal SharedApiReads Api { get; }

    /// <summary>The phase and target whose plan (or check made with a plan) the code running here is, if any.</summary>
    internal static (string Phase, string Target)? CurrentPlan => PlanningPhase.Value is { } phase ? (phase, PlanningTarget.Value ?? string.Empty) : null;

    /// <summary>Whether the last run of the cluster left a record of its reads (an installed cluster, most likely).</summary>
    internal bool HasRecord => _previous.Count > 0;

    /// <summary>Whether the run has applied a change (after which nothing is taken from a snapshot).</summary>
    internal bool Dropped => Volatile.Read(ref _droppedBy) is not null;

    /// <summary>
    /// The record the last run of the cluster left in <paramref name="stateDirectory"/> (none, when there is no usable one: the
    /// run then reads as without it, and says why at debug level). With <paramref name="phases"/>, the snapshots read only what
    /// those phases read (the run's own: another command's phases, say reset's after an init, are not read for nothing).
    /// <paramref name="notBefore"/> holds every snapshot back until it is true (the run holds the cluster's run lease): a snapshot
    /// taken while another run still changed the hosts would plan this run from what that run was replacing. False, no snapshot
    /// is taken (the run ends without a phase).
    /// </summary>
    public static ReadAhead Load(
        string stateDirectory, SecretRedactor redactor, ILogger logger, TimeProvider? time = null, IReadOnlySet<string>? phases = null, Task<bool>? notBefore = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(logger);
        var previous = ReadAheadFile.Load(stateDirectory, out var problem);
        if (problem is not null)
        {
            logger.Debug("[{Phase}] the record of the last run's reads is not used ({Error}); each phase reads the hosts itself", "read-ahead", problem);
        }

        return new ReadAhead(previous, redactor, logger, time ?? TimeProvider.System) { _phases = phases, _notBefore = notBefore ?? Task.FromResult(true) };
    }

    /// <summary>Starts each connected host's snapshot in the background (hosts the record knows nothing of get none).</summary>
    public void Start(IReadOnlyDictionary<string, IRemoteHost> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        foreach (var host in hosts.Values)
        {
            Start(host);
        }
    }

    /// <summary>
    /// Starts <paramref name="host"/>'s snapshot in the background, as soon as it is connected: its first connection is then
    /// still open (with more hosts than connections held open, it is not made again for the snapshot). Once per host. It reads
    /// the host once the run may (<see cref="Load"/>'s notBefore).
    /// </summary>
    public void Start(IRemoteHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var keys = Bounded(_previous.GetValueOrDefault(host.Name)?.Where(p => _phases is null || _phases.Contains(PhaseOf(p.Key))).SelectMany(p => p.Value).Distinct() ?? []);
        if (keys.Count > 0 && !_stop.IsCancellationRequested)
        {
            _snapshots.GetOrAdd(host.Name, _ => new Pending(keys.ToHashSet(), Task.Run(() => SnapshotAsync(host, keys, _stop.Token), CancellationToken.None)));
        }
    }

    /// <summary>
    /// Writes what this run's phases read into the record for the next run, in <paramref name="stateDirectory"/> when it exists:
    /// the phases that planned in this run replace their reads, the others keep theirs; hosts no longer in the cluster file go.
    /// A failure is logged at debug level: the record is a cache, never part of the outcome.
    /// </summary>
    public void Save(string stateDirectory, IReadOnlyCollection<string> hosts)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        ArgumentNullException.ThrowIfNull(hosts);
        var record = new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<ReadKey>>>(StringComparer.Ordinal);
        foreach (var host in hosts)
        {
            var phases = new Dictionary<string, IReadOnlyList<ReadKey>>(StringComparer.Ordinal);
            foreach (var (phase, keys) in _previous.GetValueOrDefault(host) ?? new Dictionary<string, IReadOnlyList<ReadKey>>())
            {
                if (!_plannedPhases.ContainsKey(phase))
                {
                    phases[phase] = keys;
                }
            }

            foreach (var ((_, phase), keys) in _recorded.Where(r => r.Key.Host == host))
            {
                // Checked again at the end: a secret registered after a command ran is still kept out of the record.
                phases[phase] = keys.OrderBy(k => k.Value).Select(k => k.Key).Where(Recordable).ToList();
            }

            if (phases.Count > 0)
            {
                record[host] = phases;
            }
        }

        try
        {
            ReadAheadFile.Save(stateDirectory, record);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.Debug("[{Phase}] the record of this run's reads was not written ({Error}); the next run reads the hosts phase by phase", "read-ahead", e.Message);
        }
    }

    /// <summary>Stops the snapshots still running and waits for them; says at debug level how many reads they served. Once: later calls return at once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var snapshot in _snapshots.Values.Select(p => p.Snapshot).Concat(_abandoned))
        {
            await snapshot.ConfigureAwait(false);
        }

        _logger.Debug("[{Phase}] {Served} reads taken from the hosts' snapshots, {Live} read from the hosts, {Shared} taken from another plan's read{Dropped}",
            "read-ahead", _servedCount, _liveCount, _sharedCount, _droppedBy is { } by ? "; snapshots dropped at the first change (" + by + ")" : string.Empty);
        _logger.Debug("[{Phase}] API: {Shared} reads taken from another plan's read, {Live} read from the API", "read-ahead", Api.Shared, Api.Live);
        _stop.Dispose();
    }

    /// <summary>
    /// Marks the code that runs from here on (in this async flow) as the plan of <paramref name="phase"/> for <paramref name="target"/>:
    /// its reads are recorded and may be answered.
    /// </summary>
    internal void BeginPlanning(string phase, string? target = null)
    {
        _plannedPhases.TryAdd(phase, true);
        PlanningPhase.Value = phase;
        PlanningTarget.Value = target;
    }

    /// <summary>
    /// Marks the code that runs from here on (in this async flow) as the check of <paramref name="phase"/> that runs ahead with a
    /// plan that changes nothing (<see cref="PlansAhead"/>): its reads are recorded and answered like a plan's, apart from the
    /// plan's own (so a wait's first poll may be answered once, by the snapshot or by another plan's read, and its next polls
    /// read the host), and the next run reads them ahead when it runs <paramref name="phase"/>.
    /// </summary>
    internal void BeginChecking(string phase, string? target = null) => BeginPlanning(CheckOf(phase), target);

    /// <summary>
    /// <paramref name="hosts"/> as a check that only reads sees them (<see cref="ReadAheadHost"/>): its reads are recorded under
    /// <see cref="CheckOf"/>, and answered as a plan's while the run has changed nothing.
    /// </summary>
    internal IReadOnlyDictionary<string, IRemoteHost> CheckedHosts(IReadOnlyDictionary<string, IRemoteHost> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        return hosts.ToDictionary(h => h.Key, IRemoteHost (h) => new ReadAheadHost(h.Value, this), StringComparer.Ordinal);
    }

    /// <summary>The code that runs from here on (in this async flow) is no plan: its reads are neither recorded nor answered.</summary>
    internal void EndPlanning()
    {
        PlanningPhase.Value = null;
        PlanningTarget.Value = null;
    }

    /// <summary>Under which name the reads of <paramref name="phase"/>'s check made ahead are recorded.</summary>
    internal static string CheckOf(string phase) => phase + CheckSuffix;

    /// <summary>The phase a recorded name belongs to: itself, or the phase whose check it is.</summary>
    private static string PhaseOf(string recorded) =>
        recorded.EndsWith(CheckSuffix, StringComparison.Ordinal) ? recorded[..^CheckSuffix.Length] : recorded;

    /// <summary>No read is taken from a snapshot from now on: the run is about to change something (<paramref name="what"/>).</summary>
    internal void Drop(string what)
    {
        if (Interlocked.CompareExchange(ref _droppedBy, what, null) is null && !_snapshots.IsEmpty)
        {
            _logger.Debug("[{Phase}] the hosts' snapshots are dropped: {What} changes something", "read-ahead", what);
        }
    }

    /// <summary>
    /// The command's result as a plan reads it: from the host's snapshot, or from another plan's read of it on the host (see the
    /// rules above), or read on the host with <paramref name="live"/>.
    /// </summary>
    internal async Task<CommandResult> ReadCommandAsync(string host, RemoteCommand command, Func<Task<CommandResult>> live, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(live);
        if (!Recordable(command))
        {
            return await live().ConfigureAwait(false);
        }

        var entry = await ReadAsync(host, ReadKey.Command(command.Argv, command.Sudo), async () => new Entry(await live().ConfigureAwait(false), null), cancellationToken)
            .ConfigureAwait(false);
        return entry.Result!;
    }

    /// <summary>
    /// Records <paramref name="command"/> as read by the phase planning now, without running it: a read the phase's next plan will
    /// make once what this run makes is there (the members of an etcd cluster not started yet), so the next run reads it ahead with
    /// the others instead of on the host. Nothing when no phase plans here, or the command could not be recorded anyway.
    /// </summary>
    internal void Expect(string host, RemoteCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (PlanningPhase.Value is { } phase && Recordable(command))
        {
            _recorded.GetOrAdd((host, phase), _ => new ConcurrentDictionary<ReadKey, long>()).TryAdd(ReadKey.Command(command.Argv, command.Sudo), Interlocked.Increment(ref _order));
        }
    }

    /// <summary>A file's content as a plan reads it (null when it does not exist): as <see cref="ReadCommandAsync"/>.</summary>
    internal async Task<byte[]?> ReadFileAsync(string host, string path, Func<Task<byte[]?>> live, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(live);
        var entry = await ReadAsync(host, ReadKey.File(path), async () => new Entry(null, await live().ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        return entry.Content;
    }

    private async Task<Entry> ReadAsync(string host, ReadKey key, Func<Task<Entry>> live, CancellationToken cancellationToken)
    {
        var phase = PlanningPhase.Value;
        if (await TakeAsync(host, key, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            return entry;
        }

        if (phase is null || Dropped)
        {
            return await live().ConfigureAwait(false);
        }

        var mine = new Lazy<Task<Entry>>(() => TimedAsync(live));
        var first = _live.GetOrAdd((host, key), mine);
        if (!ReferenceEquals(first, mine))
        {
            // Another plan read it on the host while the run had changed nothing: taken once per phase, like a snapshot's.
            if (_served.TryAdd((host, phase, key), true) && await SharedAsync(first, cancellationToken).ConfigureAwait(false) is { } shared)
            {
                Interlocked.Decrement(ref _liveCount);
                Interlocked.Increment(ref _sharedCount);
                return shared;
            }

            return await live().ConfigureAwait(false);
        }

        // This phase has had this read: the next time it reads it (a wait polling the host), it reads the host again.
        _served.TryAdd((host, phase, key), true);
        try
        {
            return await mine.Value.ConfigureAwait(false);
        }
        catch
        {
            _live.TryRemove(new KeyValuePair<(string, ReadKey), Lazy<Task<Entry>>>((host, key), mine));
            throw;
        }
    }

    /// <summary>Another plan's read: null when it failed, was stopped, came after the run's first change or is older than <see cref="MaxAge"/>.</summary>
    private async Task<Entry?> SharedAsync(Lazy<Task<Entry>> read, CancellationToken cancellationToken)
    {
        try
        {
            var entry = await read.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            return !Dropped && _time.GetElapsedTime(entry.Taken) <= MaxAge ? entry : null;
        }
#pragma warning disable CA1031 // Its failure is that plan's to report: this one reads the host itself.
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private async Task<Entry> TimedAsync(Func<Task<Entry>> live)
    {
        var entry = await live().ConfigureAwait(false);
        return entry with { Taken = _time.GetTimestamp() };
    }

    private async Task<Entry?> TakeAsync(string host, ReadKey key, CancellationToken cancellationToken)
    {
        if (PlanningPhase.Value is not { } phase)
        {
            return null;
        }

        _recorded.GetOrAdd((host, phase), _ => new ConcurrentDictionary<ReadKey, long>()).TryAdd(key, Interlocked.Increment(ref _order));
        var entry = await FromSnapshotAsync(host, key, cancellationToken).ConfigureAwait(false);
        if (entry is not null && _served.TryAdd((host, phase, key), true))
        {
            Interlocked.Increment(ref _servedCount);
            return entry;
        }

        Interlocked.Increment(ref _liveCount);
        return null;
    }

    /// <summary>
    /// Completes once <paramref name="host"/>'s snapshot is taken or failed, or <see cref="ReaderWait"/> has passed, which gives it up
    /// as a late read does (at once when the host has none, or the snapshots were dropped): a plan made ahead waits for it before it
    /// takes a place among the plans.
    /// </summary>
    internal async Task SettledAsync(string host, CancellationToken cancellationToken)
    {
        if (Dropped || !_snapshots.TryGetValue(host, out var pending))
        {
            return;
        }

        await SnapshotOfAsync(host, pending, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Entry?> FromSnapshotAsync(string host, ReadKey key, CancellationToken cancellationToken)
    {
        // A read the snapshot does not make (a phase that reads something new) goes to the host at once, without waiting for it.
        if (Dropped || !_snapshots.TryGetValue(host, out var pending) || !pending.Keys.Contains(key))
        {
            return null;
        }

        var snapshot = await SnapshotOfAsync(host, pending, cancellationToken).ConfigureAwait(false);
        return snapshot is not null && !Dropped && _time.GetElapsedTime(snapshot.Taken) <= MaxAge ? snapshot.Entries.GetValueOrDefault(key) : null;
    }

    /// <summary>
    /// <paramref name="host"/>'s snapshot, waited for at most <see cref="ReaderWait"/>: null when it failed (a snapshot that fails
    /// is null, never an exception) or did not come in time.
    /// </summary>
    private async Task<Snapshot?> SnapshotOfAsync(string host, Pending pending, CancellationToken cancellationToken)
    {
        try
        {
            return await pending.Snapshot.WaitAsync(ReaderWait, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Late once, late for good: the host's other reads go to it at once rather than each waiting again.
            if (_snapshots.TryRemove(new KeyValuePair<string, Pending>(host, pending)))
            {
                _abandoned.Add(pending.Snapshot);
                _logger.Debug("[{Phase}] {Host}: the snapshot did not come within {Wait} s; each phase reads the host itself", "read-ahead", host, ReaderWait.TotalSeconds);
            }

            return null;
        }
    }

    /// <summary>The keys a snapshot reads: the record's, in its order, up to <see cref="MaxBatchBytes"/> of arguments.</summary>
    private static List<ReadKey> Bounded(IEnumerable<ReadKey> keys)
    {
        var bounded = new List<ReadKey>();
        var bytes = 0;
        foreach (var key in keys)
        {
            bytes += key.Text.Length + 16;
            if (bytes > MaxBatchBytes)
            {
                break;
            }

            bounded.Add(key);
        }

        return bounded;
    }

    private bool Recordable(RemoteCommand command) =>
        command.Stdin is null
        && CommandBatch.Batchable(command.Argv)
        && !CommandBatch.IsBatch(command)
        && !RemoteFileState.IsHashCommand(command)
        && !command.ToDisplayString(_redactor).Contains(SecretRedactor.Mask, StringComparison.Ordinal);

    private bool Recordable(ReadKey key) =>
        key.IsFile ? !_redactor.Redact(key.Path).Contains(SecretRedactor.Mask, StringComparison.Ordinal) : Recordable(new RemoteCommand(key.Argv, key.Sudo));

    private async Task<Snapshot?> SnapshotAsync(IRemoteHost host, IReadOnlyList<ReadKey> keys, CancellationToken cancellationToken)
    {
        try
        {
            if (!await _notBefore.WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            // Logged in as root, a command runs the same with sudo or without: one session reads them all.
            var asRoot = keys.Where(k => k.Sudo || host.IsRoot).ToList();
            var asUser = keys.Where(k => !k.Sudo && !host.IsRoot).ToList();

            var sessions = await Task.WhenAll(new[] { (Keys: asRoot, Sudo: true), (Keys: asUser, Sudo: false) }
                .Where(s => s.Keys.Count > 0)
                .Select(async s =>
                {
                    var (batch, commands) = Batch(s.Keys, s.Sudo);
                    return (s.Keys, Commands: commands, Run: await batch.RunAsync(host, cancellationToken, SessionTimeout).ConfigureAwait(false));
                }))
                .ConfigureAwait(false);
            var taken = _time.GetTimestamp();
            var entries = new Dictionary<ReadKey, Entry>();
            foreach (var (sessionKeys, commands, run) in sessions.Where(s => s.Run.Started))
            {
                for (var i = 0; i < sessionKeys.Count; i++)
                {
                    var (command, probed) = commands[i];
                    var result = probed is null ? run[command] : RemoteFileProbe.Split(run[command], probed);
                    if (result is not null && ToEntry(sessionKeys[i], result) is { } entry)
                    {
                        entries[sessionKeys[i]] = entry;
                    }
                }
            }

            _logger.Debug("[{Phase}] {Host}: {Count} reads in one snapshot", "read-ahead", host.Name, entries.Count);
            return new Snapshot(taken, entries);
        }
#pragma warning disable CA1031 // A snapshot that fails is no snapshot: the plans read the host themselves, as without one.
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                _logger.Debug("[{Phase}] {Host}: no snapshot ({Error}); each phase reads the host itself", "read-ahead", host.Name, _redactor.Redact(e.Message));
            }

            return null;
        }
    }

    /// <summary>
    /// The session's commands, one per key (a file travels as base64: its bytes whole, whatever they are, and never taken for
    /// text on the way), except the phases' file probes: those that read the same manifest become one probe of all their paths,
    /// three processes on the host instead of three each, and each key's answer is cut out of it (its paths, with Probed).
    /// </summary>
    private static (CommandBatch Batch, IReadOnlyList<(BatchedCommand Command, IReadOnlyList<string>? Probed)> Commands) Batch(IReadOnlyList<ReadKey> keys, bool sudo)
    {
        var batch = new CommandBatch(sudo);
        var probes = keys.Where(k => !k.IsFile).Select(k => (Key: k, Probe: RemoteFileProbe.AsProbe(k.Argv)))
            .Where(p => p.Probe is not null)
            .GroupBy(p => p.Probe!.Value.Manifest, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .SelectMany(g =>
            {
                var merged = batch.Add(RemoteFileProbe.ProbeArgv(g.Key, g.SelectMany(p => p.Probe!.Value.Paths).Distinct(StringComparer.Ordinal)));
                return g.Select(p => (p.Key, Command: merged, p.Probe!.Value.Paths));
            })
            .ToDictionary(p => p.Key, p => (p.Command, (IReadOnlyList<string>?)p.Paths));
        var commands = keys.Select(key => probes.TryGetValue(key, out var probe) ? probe
            : (batch.Add(key.IsFile ? RemoteFileRead.Argv(key.Path, base64: true) : key.Argv), (IReadOnlyList<string>?)null)).ToList();
        return (batch, commands);
    }

    private static Entry? ToEntry(ReadKey key, CommandResult result)
    {
        if (!key.IsFile)
        {
            return new Entry(result, null);
        }

        if (result.Succeeded)
        {
            try
            {
                // Larger than any file read whole: read on the host, which says so.
                var content = Convert.FromBase64String(result.Stdout.Trim());
                return RemoteFileRead.TooLarge(content.Length) ? null : new Entry(null, content);
            }
            catch (FormatException)
            {
                return null;
            }
        }

        // As a read on the host: a file that does not exist is null; anything else (a directory, no base64) is read there.
        return result.ExitCode == 1 && result.Stderr.Contains("No such file or directory", StringComparison.Ordinal) ? new Entry(null, null) : null;
    }

    /// <summary>A host's snapshot under way, and the reads it makes.</summary>
    private sealed record Pending(IReadOnlySet<ReadKey> Keys, Task<Snapshot?> Snapshot);

    /// <summary>A host's reads as they were when its session ended.</summary>
    private sealed record Snapshot(long Taken, IReadOnlyDictionary<ReadKey, Entry> Entries);

    /// <summary>A command's result, or a file's content (null: it does not exist); a read made by a plan on the host says when it ended.</summary>
    private sealed record Entry(CommandResult? Result, byte[]? Content, long Taken = 0);
}
