namespace Bootstrap.Core.Remote;

/// <summary>
/// Runs one action on many hosts at once, at most <c>maxConcurrency</c> at a time. Every host gets
/// its own result; a failure on one host is recorded against it and never cancels or hides the others.
/// Cancelling the token stops hosts that have not started and cancels the running ones.
/// </summary>
public static class HostFanOut
{
    public static Task<IReadOnlyList<HostResult<T>>> RunAsync<T>(
        IReadOnlyList<IRemoteHost> hosts,
        Func<IRemoteHost, CancellationToken, Task<T>> action,
        int maxConcurrency,
        CancellationToken cancellationToken) =>
        RunAsync(hosts, host => host.Name, action, maxConcurrency, cancellationToken);

    /// <summary>The same over anything that names a host, e.g. connection settings before there is a connection.</summary>
    public static async Task<IReadOnlyList<HostResult<T>>> RunAsync<THost, T>(
        IReadOnlyList<THost> hosts,
        Func<THost, string> nameOf,
        Func<THost, CancellationToken, Task<T>> action,
        int maxConcurrency,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        ArgumentNullException.ThrowIfNull(nameOf);
        ArgumentNullException.ThrowIfNull(action);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);

        var results = new HostResult<T>[hosts.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, hosts.Count), options, async (index, token) =>
        {
            var host = hosts[index];
            try
            {
                results[index] = new HostResult<T>(nameOf(host), await action(host, token).ConfigureAwait(false), null);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                results[index] = new HostResult<T>(nameOf(host), default, e);
            }
        }).ConfigureAwait(false);
        return results;
    }

    /// <summary>Throws a <see cref="HostFanOutException"/> naming every failed host; returns the values otherwise.</summary>
    public static IReadOnlyList<T> ValuesOrThrow<T>(this IReadOnlyList<HostResult<T>> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var failed = results.Where(r => !r.Succeeded).ToList();
        if (failed.Count > 0)
        {
            throw new HostFanOutException(failed.Select(r => r.Host).ToList(), failed.Select(r => r.Error!).ToList());
        }

        return results.Select(r => r.Value!).ToList();
    }
}
