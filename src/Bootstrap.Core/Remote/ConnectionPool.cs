using Serilog;

namespace Bootstrap.Core.Remote;

/// <summary>
/// Keeps at most <see cref="Bound"/> of a run's connections open at once, whatever the number of hosts: a run over
/// 200 hosts holds the sockets and SSH sessions (each with its listener thread) of <see cref="Bound"/> hosts, not 200.
/// <para>
/// Each call on a <see cref="PooledHost"/> holds its host for the length of the call; a host with no call running is
/// idle. Opening a connection while <see cref="Bound"/> are open first closes the least recently used idle one; a
/// host in use is never closed under a call. When every open connection is in use, the opening waits, first come
/// first served, until a call ends. A host closed this way is reopened on its next call
/// (<see cref="IReopenableHost.ReopenAsync"/>: verified like its first connection); a failed reopening fails that
/// call with a <see cref="HostReconnectException"/> naming the host. With no more hosts than <see cref="Bound"/>,
/// nothing is closed before the end of the run.
/// </para>
/// <para>
/// Cannot deadlock: a call holds one host, and never waits for another host while it does (a reopening waits for a
/// slot before it holds anything).
/// </para>
/// </summary>
internal sealed class ConnectionPool
{
    private readonly Lock _lock = new();

    // Open connections no call uses, least recently used first.
    private readonly LinkedList<PooledHost> _idle = [];

    // Openings waiting for a slot, in arrival order; each is handed the idle connection it must close first, or null.
    private readonly LinkedList<TaskCompletionSource<IReopenableHost?>> _waiting = [];
    private readonly ILogger _log;

    // Connections open, being opened, or being closed to make room for one.
    private int _slots;
    private int _pinned;
    private int _peak;
    private int _reopened;

    public ConnectionPool(int bound, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, 1);
        ArgumentNullException.ThrowIfNull(logger);
        Bound = bound;
        _log = logger;
    }

    public int Bound { get; }

    /// <summary>The most connections that were open (or being opened or closed) at once.</summary>
    public int Peak
    {
        get
        {
            lock (_lock)
            {
                return _peak;
            }
        }
    }

    /// <summary>How many times a host whose idle connection was closed was connected again.</summary>
    public int Reopened => Volatile.Read(ref _reopened);

    /// <summary>
    /// Makes a host's first connection within the bound (closing the least recently used idle one first when needed).
    /// A connection that can be reopened is returned pooled, idle until its first call; any other is returned as it
    /// is and not counted (it holds no connection: the workstation).
    /// </summary>
    /// <param name="pin">Keeps the connection open until the run ends, from the moment it is made (<see cref="TryPin"/>), if there is room to.</param>
    public async Task<IRemoteHost> ConnectAsync(Func<CancellationToken, Task<IRemoteHost>> connect, CancellationToken cancellationToken, bool pin = false)
    {
        ArgumentNullException.ThrowIfNull(connect);
        await TakeSlotAsync(cancellationToken).ConfigureAwait(false);
        IRemoteHost connected;
        try
        {
            connected = await connect(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ReleaseSlot();
            throw;
        }

        if (connected is not IReopenableHost reopenable)
        {
            ReleaseSlot();
            return connected;
        }

        var pooled = new PooledHost(this, reopenable);
        lock (_lock)
        {
            pooled.Connection = reopenable;
            _idle.AddLast(pooled.IdleNode);
            if (pin)
            {
                TryPin(pooled);
            }

            Pump();
        }

        return pooled;
    }

    /// <summary>
    /// The open connection of <paramref name="host"/> for one call, reopened first if it was closed; the caller gives it
    /// back with <see cref="Return"/> when the call ends.
    /// </summary>
    internal async Task<IReopenableHost> LeaseAsync(PooledHost host, CancellationToken cancellationToken)
    {
        while (true)
        {
            TaskCompletionSource? mine = null;
            Task opening;
            lock (_lock)
            {
                if (host.Closed)
                {
                    throw new InvalidOperationException($"{host.Name}: the connection was closed at the end of the run");
                }

                if (host.Connection is { } open)
                {
                    host.Users++;
                    if (host.IdleNode.List is not null)
                    {
                        _idle.Remove(host.IdleNode);
                    }

                    return open;
                }

                if (host.Opening is null)
                {
                    mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    host.Opening = mine.Task;
                }

                opening = host.Opening;
            }

            if (mine is not null)
            {
                try
                {
                    return await ReopenAsync(host, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    lock (_lock)
                    {
                        host.Opening = null;
                    }

                    // The calls that waited for this opening look again: at the connection, or (it failed) open it themselves.
                    mine.SetResult();
                }
            }

            await opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Keeps <paramref name="host"/>'s connection open until the end of the run: it is never closed to make room, as if a call
    /// always ran on it. Refused (false) when it would leave no slot for the other hosts' connections, which would then wait
    /// forever; a host already pinned stays so (true).
    /// </summary>
    internal bool TryPin(PooledHost host)
    {
        lock (_lock)
        {
            if (host.Pinned)
            {
                return true;
            }

            if (host.Closed || _pinned + 1 >= Bound)
            {
                return false;
            }

            host.Pinned = true;
            host.Users++;
            _pinned++;
            if (host.IdleNode.List is not null)
            {
                _idle.Remove(host.IdleNode);
            }

            return true;
        }
    }

    /// <summary>Ends one call on <paramref name="host"/>: with no other call running, it is idle (and may be closed to make room).</summary>
    internal void Return(PooledHost host)
    {
        lock (_lock)
        {
            host.Users--;
            if (host.Users == 0 && host.Connection is not null && !host.Closed)
            {
                _idle.AddLast(host.IdleNode);
                Pump();
            }
        }
    }

    /// <summary>Closes <paramref name="host"/> for good (the end of the run), whether or not a call still runs on it.</summary>
    internal async ValueTask CloseAsync(PooledHost host)
    {
        IReopenableHost? connection;
        lock (_lock)
        {
            if (host.Closed)
            {
                return;
            }

            host.Closed = true;
            connection = host.Connection;
            host.Connection = null;
            if (host.IdleNode.List is not null)
            {
                _idle.Remove(host.IdleNode);
            }
        }

        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            ReleaseSlot();
        }
    }

    /// <summary>
    /// Gives up <paramref name="connection"/>, the connection of <paramref name="host"/> that a call found closed (the host reset
    /// it, or the keep-alive found its peer gone): the host's next call connects again. A connection already given up, or
    /// already replaced, is left as it is.
    /// </summary>
    /// <param name="operation">What the call could not send.</param>
    internal async Task DropAsync(PooledHost host, IReopenableHost connection, string operation)
    {
        lock (_lock)
        {
            if (host.Closed || !ReferenceEquals(host.Connection, connection))
            {
                return;
            }

            host.Connection = null;
            host.Lost = operation;
            if (host.IdleNode.List is not null)
            {
                _idle.Remove(host.IdleNode);
            }
        }

        _log.Warning("{Host}: the connection was found closed before {Operation} was sent; connecting again", host.Name, operation);
        if (host.Pinned)
        {
            // Its session held the run's lease on the host; the other hosts' leases still keep a second run out.
            _log.Warning("{Host}: the run's lease on it ended with that connection", host.Name);
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        ReleaseSlot();
    }

    private async Task<IReopenableHost> ReopenAsync(PooledHost host, CancellationToken cancellationToken)
    {
        await TakeSlotAsync(cancellationToken).ConfigureAwait(false);
        IReopenableHost connection;
        var closedBecause = host.Lost is null ? $"its idle connection was closed to keep at most {Bound} open" : "its connection was found closed";
        try
        {
            _log.Debug("{Host}: connecting again ({Why})", host.Name, closedBecause);
            connection = await host.Last.ReopenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            ReleaseSlot();
            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            // The connection's own errors name the host already ("NAME: …"): said once.
            var reason = e.Message.StartsWith(host.Name + ": ", StringComparison.Ordinal) ? e.Message[(host.Name.Length + 2)..] : e.Message;
            throw new HostReconnectException(host.Name, $"{host.Name}: cannot connect again ({closedBecause}): {reason}", e);
        }

        bool closed;
        lock (_lock)
        {
            closed = host.Closed;
            if (!closed)
            {
                host.Connection = connection;
                host.Last = connection;
                host.Lost = null;
                host.Users++;
            }
        }

        if (closed)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            ReleaseSlot();
            throw new InvalidOperationException($"{host.Name}: the connection was closed at the end of the run");
        }

        Interlocked.Increment(ref _reopened);
        return connection;
    }

    /// <summary>
    /// Waits for room for one more connection: a free slot, or the slot of the least recently used idle connection,
    /// which is closed before this returns (so the connections open never outnumber the bound, not even for a moment).
    /// </summary>
    private async Task TakeSlotAsync(CancellationToken cancellationToken)
    {
        LinkedListNode<TaskCompletionSource<IReopenableHost?>>? place = null;
        IReopenableHost? evicted = null;
        lock (_lock)
        {
            if (_waiting.Count > 0 || !TryTake(out evicted))
            {
                place = _waiting.AddLast(new TaskCompletionSource<IReopenableHost?>(TaskCreationOptions.RunContinuationsAsynchronously));
            }
        }

        if (place is not null)
        {
            try
            {
                evicted = await place.Value.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                lock (_lock)
                {
                    if (place.List is not null)
                    {
                        _waiting.Remove(place);
                        throw;
                    }
                }

                // Given a slot just as it was cancelled: handed back.
                await CloseEvictedAsync(await place.Value.Task.ConfigureAwait(false)).ConfigureAwait(false);
                ReleaseSlot();
                throw;
            }
        }

        await CloseEvictedAsync(evicted).ConfigureAwait(false);
    }

    /// <summary>Under the lock: takes a free slot, or the least recently used idle connection's (detached, to be closed by the taker).</summary>
    private bool TryTake(out IReopenableHost? evicted)
    {
        evicted = null;
        if (_slots < Bound)
        {
            _slots++;
            _peak = Math.Max(_peak, _slots);
            return true;
        }

        if (_idle.First is not { } oldest)
        {
            return false;
        }

        _idle.RemoveFirst();
        evicted = oldest.Value.Connection;
        oldest.Value.Connection = null;
        return true;
    }

    /// <summary>Under the lock: hands the room there is to the waiting openings, in order.</summary>
    private void Pump()
    {
        while (_waiting.First is { } first && TryTake(out var evicted))
        {
            _waiting.RemoveFirst();
            first.Value.SetResult(evicted);
        }
    }

    private void ReleaseSlot()
    {
        lock (_lock)
        {
            _slots--;
            Pump();
        }
    }

    private async Task CloseEvictedAsync(IReopenableHost? evicted)
    {
        if (evicted is null)
        {
            return;
        }

        _log.Debug("{Host}: closing its idle connection to keep at most {Bound} open", evicted.Name, Bound);
        try
        {
            await evicted.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Its slot is free either way: a connection that fails to close is gone for this run.
            _log.Debug("{Host}: closing its idle connection failed: {Error}", evicted.Name, e.Message);
        }
    }
}
