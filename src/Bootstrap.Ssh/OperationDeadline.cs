namespace Bootstrap.Ssh;

/// <summary>
/// When one remote operation must give up: after a fixed time (a command), or after a time without
/// progress (a transfer: every <see cref="Progress"/> re-arms it, so a slow but moving transfer of any
/// size goes on). <see cref="Token"/> is cancelled when it expires or the caller cancels.
/// </summary>
internal sealed class OperationDeadline : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationTokenSource _library = new();
    private readonly CancellationTokenRegistration _relay;
    private volatile bool _relayed;
    private readonly CancellationToken _caller;
    private readonly bool _rearmsOnProgress;

    private OperationDeadline(TimeSpan limit, bool rearmsOnProgress, CancellationToken caller)
    {
        Limit = limit;
        _rearmsOnProgress = rearmsOnProgress;
        _caller = caller;
        _source = CancellationTokenSource.CreateLinkedTokenSource(caller);
        _source.CancelAfter(limit);
        _relay = _source.Token.Register(static deadline => ((OperationDeadline)deadline!).Relay(), this);
    }

    public TimeSpan Limit { get; }

    public CancellationToken Token => _source.Token;

    /// <summary>
    /// The token for SSH.NET's own calls: cancelled with <see cref="Token"/>, but never on the thread that cancels that one.
    /// SSH.NET's cancellation sends on the connection, and a send can wait for ever behind one that a host which stopped reading
    /// never takes (an upload's, holding the socket): run on the timer's thread, it would keep the deadline from ever firing.
    /// </summary>
    public CancellationToken LibraryToken => _library.Token;

    /// <summary>The limit passed (rather than the caller cancelling).</summary>
    public bool Expired => _source.IsCancellationRequested && !_caller.IsCancellationRequested;

    public static OperationDeadline Fixed(TimeSpan limit, CancellationToken caller) => new(limit, rearmsOnProgress: false, caller);

    public static OperationDeadline Stall(TimeSpan limit, CancellationToken caller) => new(limit, rearmsOnProgress: true, caller);

    /// <summary>Bytes moved: a stall deadline starts counting again.</summary>
    public void Progress()
    {
        if (!_rearmsOnProgress)
        {
            return;
        }

        try
        {
            if (!_source.IsCancellationRequested)
            {
                _source.CancelAfter(Limit);
            }
        }
        catch (ObjectDisposedException)
        {
            // A late report from a transfer that already ended.
        }
    }

    public void Dispose()
    {
        // Once the registration is gone its callback has run or never will; a relayed cancellation owns the library's source
        // from then on, so SSH.NET is still told even when the operation ended before the relay ran.
        _relay.Dispose();
        _source.Dispose();
        if (!_relayed)
        {
            _library.Dispose();
        }
    }

    private void Relay()
    {
        _relayed = true;
        var library = _library;
        _ = Task.Run(() =>
        {
            library.Cancel();
            library.Dispose();
        });
    }
}
