namespace Bootstrap.Core.Workflow;

/// <summary>
/// The turns of a rolling change within one phase: one host at a time, and none after a host's turn failed.
/// A host waiting for its turn when another fails is told so (<see cref="RollStoppedException"/>) and keeps
/// what it runs now: nothing of the change reached it.
/// </summary>
public sealed class Roll : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly Lock _gate = new();
    private string? _stoppedAt;
    private string? _reason;

    /// <summary>The phase the roll belongs to, for messages.</summary>
    public Roll(string phase) => Phase = phase;

    public string Phase { get; }

    /// <summary>The host whose turn failed, once one did.</summary>
    public string? StoppedAt
    {
        get
        {
            lock (_gate)
            {
                return _stoppedAt;
            }
        }
    }

    /// <summary>Waits for <paramref name="host"/>'s turn; the returned handle ends it.</summary>
    /// <exception cref="RollStoppedException">Another host's turn failed (before or while this one waited).</exception>
    public async Task<IDisposable> TurnAsync(string host, CancellationToken cancellationToken)
    {
        ThrowIfStopped(host);
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfStopped(host);
        }
        catch
        {
            _turn.Release();
            throw;
        }

        return new Turn(this, host);
    }

    public void Dispose() => _turn.Dispose();

    private void ThrowIfStopped(string host)
    {
        lock (_gate)
        {
            if (_stoppedAt is not null)
            {
                throw new RollStoppedException(
                    $"{host}: not changed, and still runs its current configuration: {Phase} stopped rolling after {_stoppedAt} failed ({_reason}); fix the cause and run again");
            }
        }
    }

    private void Stop(string host, string reason)
    {
        lock (_gate)
        {
            _stoppedAt ??= host;
            _reason ??= reason;
        }
    }

    /// <summary>One host's turn. Mark it <see cref="Failed"/> before disposing when its change did not end well.</summary>
    private sealed class Turn(Roll roll, string host) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (!_done)
            {
                _done = true;
                roll._turn.Release();
            }
        }

        public void Failed(string reason) => roll.Stop(host, reason);
    }

    /// <summary>Marks the turn held by <paramref name="turn"/> as failed: no later turn starts.</summary>
    public static void Fail(IDisposable turn, string reason)
    {
        if (turn is Turn t)
        {
            t.Failed(reason);
        }
    }
}
