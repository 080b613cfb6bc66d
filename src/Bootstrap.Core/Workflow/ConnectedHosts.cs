using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Workflow;

/// <summary>Connections to a set of hosts, opened together and closed together.</summary>
public sealed class ConnectedHosts : IAsyncDisposable
{
    private readonly IReadOnlyList<IRemoteHost> _hosts;

    private ConnectedHosts(IReadOnlyList<IRemoteHost> hosts)
    {
        _hosts = hosts;
        ByName = hosts.ToDictionary(h => h.Name, StringComparer.Ordinal);
    }

    public IReadOnlyDictionary<string, IRemoteHost> ByName { get; }

    /// <summary>
    /// Connects to every host, at most <paramref name="maxConcurrency"/> at once. When any host fails,
    /// the others are closed again and a <see cref="HostFanOutException"/> names every host that failed.
    /// </summary>
    public static async Task<ConnectedHosts> ConnectAsync(
        IHostConnector connector, IReadOnlyList<HostSpec> hosts, int maxConcurrency, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(hosts);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        var connected = new IRemoteHost?[hosts.Count];
        var errors = new Exception?[hosts.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxConcurrency, CancellationToken = cancellationToken };
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, hosts.Count), options, async (index, token) =>
            {
                try
                {
                    connected[index] = await connector.ConnectAsync(hosts[index], token).ConfigureAwait(false);
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

        return new ConnectedHosts(connected.Select(h => h!).ToList());
    }

    /// <summary>
    /// Connects to every host it can, at most <paramref name="maxConcurrency"/> at once: the hosts that answered, and for
    /// each host that did not, why (for runs that do what they can without some hosts, like <c>reset</c>).
    /// </summary>
    public static async Task<(ConnectedHosts Hosts, IReadOnlyDictionary<string, string> Unreachable)> ConnectAvailableAsync(
        IHostConnector connector, IReadOnlyList<HostSpec> hosts, int maxConcurrency, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(hosts);
        ArgumentNullException.ThrowIfNull(redactor);
        var connected = new IRemoteHost?[hosts.Count];
        var unreachable = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxConcurrency), CancellationToken = cancellationToken };
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, hosts.Count), options, async (index, token) =>
            {
                try
                {
                    connected[index] = await connector.ConnectAsync(hosts[index], token).ConfigureAwait(false);
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

        return (new ConnectedHosts(connected.OfType<IRemoteHost>().ToList()), new Dictionary<string, string>(unreachable, StringComparer.Ordinal));
    }

    public async ValueTask DisposeAsync() => await CloseAsync(_hosts).ConfigureAwait(false);

    private static async Task CloseAsync(IEnumerable<IRemoteHost?> hosts)
    {
        foreach (var host in hosts.OfType<IRemoteHost>())
        {
            await host.DisposeAsync().ConfigureAwait(false);
        }
    }
}
