namespace Bootstrap.Ssh;

/// <summary>
/// When one remote operation must give up: after a fixed time (a command), or after a time without
/// progress (a transfer: every <see cref="Progress"/> re-arms it, so a slow but moving transfer of any
/// size goes on). <see cref="Token"/> is cancelled when it expires or the caller cancels.
/// </summary>
internal sealed class OperationDeadline : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _caller;
    private readonly bool _rearmsOnProgress;

    private OperationDeadline(TimeSpan limit, bool rearmsOnProgress, CancellationToken caller)
    {
        Limit = limit;
        _rearmsOnProgress = rearmsOnProgress;
        _caller = caller;
        _source = CancellationTokenSource.CreateLinkedTokenSource(caller);
        _source.CancelAfter(limit);
    }

    public TimeSpan Limit { get; }

    public CancellationToken Token => _source.Token;

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

    public void Dispose() => _source.Dispose();
}
