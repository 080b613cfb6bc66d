using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;
using Serilog;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// Connections to a set of hosts, opened together and closed together. Every host is connected (its host key
/// verified, its login checked) at the start, but at most <c>maxConcurrency</c> connections are open at any time
/// (<see cref="ConnectionPool"/>): past that, a host's idle connection is closed and made again, verified the same
/// way, when the host is next used. With no more hosts than that, each keeps its one connection for the whole run.
/// </summary>
public sealed class ConnectedHosts : IAsyncDisposable
{
    private readonly IReadOnlyList<IRemoteHost> _hosts;
    private readonly ConnectionPool _pool;
    private readonly ILogger _log;

    private ConnectedHosts(IReadOnlyList<IRemoteHost> hosts, ConnectionPool pool, ILogger logger)
    {
        _hosts = hosts;
        _pool = pool;
        _log = logger;
        ByName = hosts.ToDictionary(h => h.Name, StringComparer.Ordinal);
    }

    public IReadOnlyDictionary<string, IRemoteHost> ByName { get; }

    /// <summary>The most connections that were open at once.</summary>
    internal int MostOpen => _pool.Peak;

    /// <summary>How many times a host whose idle connection was closed was connected again.</summary>
    internal int Reconnects => _pool.Reopened;

    /// <summary>
    /// Connects to every host, at most <paramref name="maxConcurrency"/> at once and with at most that many connections
    /// open. When any host fails, the others are closed again and a <see cref="HostFanOutException"/> names every host
    /// that failed. <paramref name="onConnected"/> is given each host as soon as it is connected (to start work on its first
    /// connection, which stays open while that work runs). A host <paramref name="pin"/> holds keeps its connection open until
    /// the run ends, when there is room to (<see cref="ConnectionPool.TryPin"/>).
    /// </summary>
    public static async Task<ConnectedHosts> ConnectAsync(
        IHostConnector connector, IReadOnlyList<HostSpec> hosts, int maxConcurrency, ILogger logger, CancellationToken cancellationToken, Action<IRemoteHost>? onConnected = null,
        Func<HostSpec, bool>? pin = null)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(hosts);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        var pool = new ConnectionPool(maxConcurrency, logger);
        var connected = new IRemoteHost?[hosts.Count];
        var errors = new Exception?[hosts.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxConcurrency, CancellationToken = cancellationToken };
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, hosts.Count), options, async (index, token) =>
            {
                try
                {
                    connected[index] = await pool.ConnectAsync(ct => connector.ConnectAsync(hosts[index], ct), token, pin?.Invoke(hosts[index]) ?? false).ConfigureAwait(false);
                    onConnected?.Invoke(connected[index]!);
                }
                catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    errors[index] = e;
                }
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await CloseAsync(connected).ConfigureAwait(false);
            throw;
        }

        var failed = Enumerable.Range(0, hosts.Count).Where(i => errors[i] is not null).ToList();
        if (failed.Count > 0)
        {
            await CloseAsync(connected).ConfigureAwait(false);
            throw new HostFanOutException(failed.Select(i => hosts[i].Name).ToList(), failed.Select(i => errors[i]!).ToList());
        }

        return new ConnectedHosts(connected.Select(h => h!).ToList(), pool, logger);
    }

    /// <summary>
    /// Connects to every host it can, at most <paramref name="maxConcurrency"/> at once and with at most that many
    /// connections open: the hosts that answered, and for each host that did not, why (for runs that do what they can
    /// without some hosts, like <c>reset</c>).
    /// </summary>
    public static async Task<(ConnectedHosts Hosts, IReadOnlyDictionary<string, string> Unreachable)> ConnectAvailableAsync(
        IHostConnector connector, IReadOnlyList<HostSpec> hosts, int maxConcurrency, SecretRedactor redactor, ILogger logger, CancellationToken cancellationToken,
        Action<IRemoteHost>? onConnected = null, Func<HostSpec, bool>? pin = null)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(hosts);
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(logger);
        var pool = new ConnectionPool(Math.Max(1, maxConcurrency), logger);
        var connected = new IRemoteHost?[hosts.Count];
        var unreachable = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxConcurrency), CancellationToken = cancellationToken };
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, hosts.Count), options, async (index, token) =>
            {
                try
                {
                    connected[index] = await pool.ConnectAsync(ct => connector.ConnectAsync(hosts[index], ct), token, pin?.Invoke(hosts[index]) ?? false).ConfigureAwait(false);
                    onConnected?.Invoke(connected[index]!);
                }
                catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    unreachable[hosts[index].Name] = redactor.Redact(e.Message);
                }
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await CloseAsync(connected).ConfigureAwait(false);
            throw;
        }

        return (new ConnectedHosts(connected.OfType<IRemoteHost>().ToList(), pool, logger), new Dictionary<string, string>(unreachable, StringComparer.Ordinal));
    }

    /// <summary>
    /// Connects to every host of <paramref name="required"/> and of <paramref name="optional"/> (one pool, at most
    /// <paramref name="maxConcurrency"/> at once). A required host that cannot be connected fails the whole, as
    /// <see cref="ConnectAsync"/> does (the others are closed again); an optional one is only left out, and named with why.
    /// </summary>
    public static async Task<(ConnectedHosts Hosts, IReadOnlyDictionary<string, string> Unreachable)> ConnectWithOptionalAsync(
        IHostConnector connector, IReadOnlyList<HostSpec> required, IReadOnlyList<HostSpec> optional, int maxConcurrency, SecretRedactor redactor,
        ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(required);
        ArgumentNullException.ThrowIfNull(optional);
        var all = required.Concat(optional.Where(o => !required.Contains(o))).ToList();
        var (hosts, unreachable) = await ConnectAvailableAsync(connector, all, maxConcurrency, redactor, logger, cancellationToken).ConfigureAwait(false);
        var failed = required.Where(h => unreachable.ContainsKey(h.Name)).ToList();
        if (failed.Count > 0)
        {
            await hosts.DisposeAsync().ConfigureAwait(false);
            throw new HostFanOutException([.. failed.Select(h => h.Name)], [.. failed.Select(h => new IOException(unreachable[h.Name]))]);
        }

        return (hosts, unreachable);
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync(_hosts).ConfigureAwait(false);
        if (_pool.Reopened > 0)
        {
            _log.Debug("[{Phase}] at most {Open} connections were open at once (the bound is {Bound}); idle hosts were connected again {Reconnects} times",
                "connect", _pool.Peak, _pool.Bound, _pool.Reopened);
        }
    }

    private static async Task CloseAsync(IEnumerable<IRemoteHost?> hosts)
    {
        foreach (var host in hosts.OfType<IRemoteHost>())
        {
            await host.DisposeAsync().ConfigureAwait(false);
        }
    }
}
