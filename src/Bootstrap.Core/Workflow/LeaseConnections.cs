using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// The connector of a run's lease (<see cref="ClusterRunLease"/>): on a host the run connects to anyway, the lease is taken on
/// the run's own connection, kept open until the run ends (<see cref="PooledHost.TryPin"/>), instead of on a connection of its
/// own. A lease host saves an SSH handshake (a key exchange each side, and a session on the host) per run.
/// <para>
/// A host the run does not connect to (a run on chosen hosts), or whose connection the pool cannot keep open without leaving
/// the other hosts no room, gets a connection of its own, as before. A host the run could not connect to is not tried again
/// for the lease: the run's own error says why.
/// </para>
/// </summary>
public sealed class LeaseConnections : IHostConnector
{
    private readonly IHostConnector _connector;
    private readonly Dictionary<string, TaskCompletionSource<IRemoteHost>> _run;

    /// <param name="connector">Connects the hosts the run does not share.</param>
    /// <param name="runHosts">The hosts the run connects to.</param>
    /// <param name="leaseHosts">The hosts the lease is taken on (<see cref="ClusterRunLease.HostsOf"/>).</param>
    public LeaseConnections(IHostConnector connector, IEnumerable<HostSpec> runHosts, IEnumerable<HostSpec> leaseHosts)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(runHosts);
        ArgumentNullException.ThrowIfNull(leaseHosts);
        _connector = connector;
        var lease = leaseHosts.Select(h => h.Name).ToHashSet(StringComparer.Ordinal);
        _run = runHosts.Where(h => lease.Contains(h.Name)).DistinctBy(h => h.Name, StringComparer.Ordinal)
            .ToDictionary(h => h.Name, _ => new TaskCompletionSource<IRemoteHost>(TaskCreationOptions.RunContinuationsAsynchronously), StringComparer.Ordinal);
    }

    /// <summary>Whether the lease rides on the run's connection of <paramref name="host"/> (which the run then keeps open: <see cref="ConnectedHosts.ConnectAsync"/>'s pin).</summary>
    public bool Shares(HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return _run.ContainsKey(host.Name);
    }

    /// <summary>Hands the run's connection of <paramref name="host"/>, as soon as it is made, to the lease waiting for it.</summary>
    public void Connected(IRemoteHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (_run.TryGetValue(host.Name, out var waiting))
        {
            waiting.TrySetResult(host);
        }
    }

    /// <summary>The run has connected every host it could: the lease no longer waits for the others.</summary>
    public void ConnectingEnded()
    {
        foreach (var (name, waiting) in _run)
        {
            waiting.TrySetException(new IOException($"{name}: the run could not connect to it"));
        }
    }

    public async Task<IRemoteHost> ConnectAsync(HostSpec host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (!_run.TryGetValue(host.Name, out var waiting))
        {
            return await _connector.ConnectAsync(host, cancellationToken).ConfigureAwait(false);
        }

        var shared = await waiting.Task.WaitAsync(cancellationToken).ConfigureAwait(false);

        // A connection that is not the pool's is the workstation itself: nothing to keep open. One the pool could not keep
        // open (pinned as it was made, or now) would end the lease's session when it is closed to make room.
        return shared is not PooledHost pooled || pooled.TryPin()
            ? new Borrowed(shared)
            : await _connector.ConnectAsync(host, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The run's connection as the lease uses it: the run closes it, not the lease.</summary>
    private sealed class Borrowed(IRemoteHost host) : IRemoteHost
    {
        public string Name => host.Name;

        public bool IsRoot => host.IsRoot;

        public Task<CommandResult> RunAsync(RemoteCommand command, CancellationToken cancellationToken) => host.RunAsync(command, cancellationToken);

        public Task<UploadResult> UploadAsync(Stream content, FileSpec target, CancellationToken cancellationToken) =>
            host.UploadAsync(content, target, cancellationToken);

        public Task<IReadOnlyList<UploadOutcome>> UploadSmallAsync(IReadOnlyList<SmallUpload> files, CancellationToken cancellationToken) =>
            host.UploadSmallAsync(files, cancellationToken);

        public Task<byte[]?> DownloadAsync(string path, CancellationToken cancellationToken) => host.DownloadAsync(path, cancellationToken);

        public Task<bool> DownloadToAsync(string path, Stream destination, CancellationToken cancellationToken) =>
            host.DownloadToAsync(path, destination, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
