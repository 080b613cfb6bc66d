namespace Bootstrap.Core.Remote;

/// <summary>
/// A host as a run's phases use it when its connections are bounded (<see cref="ConnectionPool"/>): each call holds
/// the host's connection for its length, reopening it first when the pool closed it while it was idle.
/// Its state is the pool's, changed only under the pool's lock.
/// </summary>
internal sealed class PooledHost : IRemoteHost
{
    private readonly ConnectionPool _pool;

    public PooledHost(ConnectionPool pool, IReopenableHost connection)
    {
        _pool = pool;
        Last = connection;
        Name = connection.Name;
        IdleNode = new LinkedListNode<PooledHost>(this);
    }

    public string Name { get; }

    /// <summary>As the connections made to the host say (each logs in as the same user).</summary>
    public bool IsRoot => Last.IsRoot;

    /// <summary>The open connection, or null while it is closed.</summary>
    internal IReopenableHost? Connection { get; set; }

    /// <summary>The latest connection made, open or not: the one the next is made like.</summary>
    internal IReopenableHost Last { get; set; }

    /// <summary>How many calls run on the host now.</summary>
    internal int Users { get; set; }

    /// <summary>Completes when a reopening under way ends (either way); null when none is.</summary>
    internal Task? Opening { get; set; }

    /// <summary>What a call could not send when the last connection was found closed and given up (<see cref="ConnectionPool.DropAsync"/>); null otherwise.</summary>
    internal string? Lost { get; set; }

    /// <summary>Held open until the end of the run, idle or not (<see cref="ConnectionPool.TryPin"/>): its session holds the run's lease.</summary>
    internal bool Pinned { get; set; }

    /// <summary>Closed for good: the run is over.</summary>
    internal bool Closed { get; set; }

    /// <summary>The host's place in the pool's idle list while it is idle.</summary>
    internal LinkedListNode<PooledHost> IdleNode { get; }

    public Task<CommandResult> RunAsync(RemoteCommand command, CancellationToken cancellationToken) =>
        WithConnectionAsync((host, token) => host.RunAsync(command, token), cancellationToken);

    public Task<UploadResult> UploadAsync(Stream content, FileSpec target, CancellationToken cancellationToken) =>
        WithConnectionAsync((host, token) => host.UploadAsync(content, target, token), cancellationToken);

    public Task<IReadOnlyList<UploadOutcome>> UploadSmallAsync(IReadOnlyList<SmallUpload> files, CancellationToken cancellationToken) =>
        WithConnectionAsync((host, token) => host.UploadSmallAsync(files, token), cancellationToken);

    public Task<byte[]?> DownloadAsync(string path, CancellationToken cancellationToken) =>
        WithConnectionAsync((host, token) => host.DownloadAsync(path, token), cancellationToken);

    public Task<bool> DownloadToAsync(string path, Stream destination, CancellationToken cancellationToken) =>
        WithConnectionAsync((host, token) => host.DownloadToAsync(path, destination, token), cancellationToken);

    public ValueTask DisposeAsync() => _pool.CloseAsync(this);

    /// <summary>Keeps this host's connection open until the run ends, if the pool has room to (<see cref="ConnectionPool.TryPin"/>).</summary>
    internal bool TryPin() => _pool.TryPin(this);

    private async Task<T> WithConnectionAsync<T>(Func<IRemoteHost, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var connection = await _pool.LeaseAsync(this, cancellationToken).ConfigureAwait(false);
            try
            {
                return await call(connection, cancellationToken).ConfigureAwait(false);
            }
            catch (ConnectionLostException e)
            {
                // Found closed before the call's next step was sent (a call's steps are each safe to make again): the connection is
                // given up and the call made once more on a new one, verified like the first. Found closed again, the call fails,
                // and the host's next call connects anew.
                await _pool.DropAsync(this, connection, e.Operation).ConfigureAwait(false);
                if (attempt > 1)
                {
                    throw;
                }
            }
            finally
            {
                _pool.Return(this);
            }
        }
    }
}
