using System.Collections.Concurrent;
using Bootstrap.Core.Config;
using Bootstrap.Core.Etcd;
using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Remote;
using Serilog;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// The typed state of one run, as phases see it while they plan: the configuration, read-only views of the
/// connected hosts, and what earlier phases produced (the cluster material, the API, the nodes that joined).
/// Writing is only possible through the <see cref="ApplyContext"/> the runner gives to changes it applies.
/// </summary>
public sealed class PhaseContext : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, IRemoteHost> _hosts = new Dictionary<string, IRemoteHost>(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PlannedFiles> _planned = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<(IRemoteHost? Host, string? Error)>>> _outside = new(StringComparer.Ordinal);
    private readonly Lazy<InstalledFiles> _installed;
    private readonly Lazy<WaitLog> _waits;
    private InstalledFiles? _sharedInstalled;

    public PhaseContext()
    {
        _installed = new Lazy<InstalledFiles>(() => new InstalledFiles(ManifestPath, Verify));
        _waits = new Lazy<WaitLog>(() => new WaitLog(Time) { NeverSleeps = NeverWaits });
    }

    public required ClusterConfig Config { get; init; }

    /// <summary>The connected hosts, by their name in the cluster file. Only the runner reads them (to apply changes).</summary>
    public required IReadOnlyDictionary<string, IRemoteHost> Hosts
    {
        internal get => _hosts;
        init => _hosts = value;
    }

    public required SecretRedactor Redactor { get; init; }

    public required ILogger Logger { get; init; }

    /// <summary>When set, changes are reported and never applied.</summary>
    public bool DryRun { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary><c>--verify</c>: every file compared is hashed in full, whatever the hosts' manifests of installed files say.</summary>
    public bool Verify { get; init; }

    /// <summary>Where hosts keep the manifest of installed files (tests point it into a directory of their own).</summary>
    internal string ManifestPath { get; init; } = InstalledFilesManifest.DefaultPath;

    /// <summary>The hosts' manifests of installed files, as this run reads and records them.</summary>
    internal InstalledFiles InstalledFiles => _sharedInstalled ?? _installed.Value;

    /// <summary>
    /// A context for plans and checks made ahead (<see cref="Ahead"/>): a wait in it gives up at its first sleep
    /// (<see cref="WaitNotAheadException"/>), so what needs waiting for is planned and checked in its turn, never ahead.
    /// </summary>
    internal bool NeverWaits { get; private init; }

    /// <summary>The time the targets spent waiting for components, as their waits counted it; the runner reports it per target and phase.</summary>
    internal WaitLog Waits => _waits.Value;

    /// <summary>The cluster state's material (PKI, secrets, artifacts): produced by <c>certs</c>, else read from the state as it is.</summary>
    internal MaterialSource Material { get; } = new();

    /// <summary>The Kubernetes API from the workstation, with the state's admin.conf.</summary>
    internal ApiSource Api { get; init; } = new();

    /// <summary>
    /// Each host read once at the start of the run (<see cref="ReadAhead"/>), for the plans to take their reads from while the
    /// run has changed nothing; null: every plan reads the hosts itself.
    /// </summary>
    public ReadAhead? Reads { get; init; }

    /// <summary>What the hosts run, read by an upgrade's <c>versions</c> phase for its <c>skew</c> phase.</summary>
    internal Upgrade.VersionReport Versions { get; } = new();

    /// <summary>The nodes that joined in this run, with the id of the bootstrap token each joined with.</summary>
    internal NodeJoins Joined { get; } = new();

    /// <summary>
    /// The leaves this run applies, in order (the runner sets them before the first): a phase that can do part of a later
    /// phase's work in its own turn asks whether that phase runs (<see cref="Runs{TPhase}"/>).
    /// </summary>
    internal IReadOnlyList<ILeafPhase> Leaves { get; set; } = [];

    /// <summary>Whether a leaf of type <typeparamref name="TPhase"/> runs in this run.</summary>
    internal bool Runs<TPhase>() where TPhase : ILeafPhase => Leaves.OfType<TPhase>().Any();

    /// <summary>etcd as each phase reads it: once per phase, so that its targets plan from the same reading.</summary>
    internal EtcdSource Etcd { get; } = new();

    /// <summary>
    /// Connects to hosts that are not in the cluster file: the host of an etcd member removed from the file, to stop its
    /// etcd and remove its data after the member left. Null when the run makes no such connection (it then says so).
    /// </summary>
    public IHostConnector? Connector { get; init; }

    /// <summary>
    /// A context for plans made ahead of their phase's turn (<see cref="PlansAhead"/>): the same configuration, hosts, snapshots
    /// and manifests of installed files (whose entries check themselves against the files), and nothing of what this run's
    /// phases produce (material, the API client, etcd readings, upgrade versions, joined nodes, planned files, waits).
    /// </summary>
    internal PhaseContext Ahead() => new()
    {
        NeverWaits = true,
        Config = Config,
        Hosts = _hosts,
        Redactor = Redactor,
        Logger = Logger,
        DryRun = DryRun,
        Time = Time,
        Verify = Verify,
        ManifestPath = ManifestPath,
        Reads = Reads,
        Connector = Connector,
        Leaves = Leaves,
        _sharedInstalled = InstalledFiles,
    };

    /// <summary>A read-only view of a connected host; throws naming the host when it is not connected.</summary>
    public HostView View(string name) =>
        Host(name) is { } host
            ? new HostView(Reads is { } reads ? new ReadAheadHost(host, reads) : host, Redactor, DryRun ? _planned.GetOrAdd(name, _ => new PlannedFiles()) : null, InstalledFiles)
            : throw new InvalidOperationException($"{name}: not connected");

    /// <summary>Where the waits of <paramref name="target"/> are counted while it is planned (a plan that waits for the API to show something).</summary>
    internal Waiting Waiting(string target) => Waits.For(target);

    /// <summary>
    /// A view of <paramref name="host"/>, a host outside the cluster file, connected once per run through
    /// <see cref="Connector"/>; or why it cannot be reached. Its connection then serves the changes applied to it too.
    /// </summary>
    internal async Task<(HostView? View, string? Error)> OutsideAsync(HostSpec host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (Connector is not { } connector)
        {
            return (null, "this run connects to no host outside the cluster file");
        }

        var connecting = _outside.GetOrAdd(host.Name, _ => new Lazy<Task<(IRemoteHost?, string?)>>(async () =>
        {
            try
            {
                return (await connector.ConnectAsync(host, cancellationToken).ConfigureAwait(false), null);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return (null, Redactor.Redact(e.Message));
            }
        }));
        (IRemoteHost? Host, string? Error) connected;
        try
        {
            connected = await connecting.Value.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The caller that started the connect gave up (its token, not this one): connect again rather than fail as cancelled.
            _outside.TryRemove(new KeyValuePair<string, Lazy<Task<(IRemoteHost?, string?)>>>(host.Name, connecting));
            return await OutsideAsync(host, cancellationToken).ConfigureAwait(false);
        }

        return connected.Host is null ? (null, connected.Error) : (View(host.Name), null);
    }

    /// <summary>The connection to a host of the file, or to one outside it that <see cref="OutsideAsync"/> reached; null otherwise.</summary>
    internal IRemoteHost? Host(string name) =>
        _hosts.TryGetValue(name, out var host) ? host
        : _outside.TryGetValue(name, out var outside) && outside.IsValueCreated && outside.Value.IsCompletedSuccessfully ? outside.Value.Result.Host
        : null;

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        foreach (var outside in _outside.Values.Where(o => o.IsValueCreated))
        {
            (IRemoteHost? Host, string? Error) connected;
            try
            {
                connected = await outside.Value.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // A connect given up on (a plan made ahead that a change stopped, or the run cancelled): there is nothing to close,
                // and the run's outcome is not this disposal's to change.
                continue;
            }

            if (connected.Host is { } host)
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
