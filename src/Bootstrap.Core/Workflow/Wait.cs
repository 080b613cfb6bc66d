namespace Bootstrap.Core.Workflow;

/// <summary>
/// An open wait of one target (<see cref="Waiting.Begin"/>), counted from its start until it is disposed. The one place
/// Bootstrap's code sleeps: a loop that polls a component delays through <see cref="DelayAsync"/>, so it holds a wait.
/// </summary>
public sealed class Wait : IDisposable
{
    private readonly WaitLog _log;
    private readonly string _target;
    private readonly long _started;
    private int _ended;

    internal Wait(WaitLog log, string target)
    {
        _log = log;
        _target = target;
        _started = log.Time.GetTimestamp();
    }

    /// <summary>Sleeps <paramref name="delay"/> on the run's clock.</summary>
    /// <exception cref="WaitNotAheadException">The wait belongs to a plan or check made ahead of its turn (<see cref="WaitLog.NeverSleeps"/>).</exception>
    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        _log.NeverSleeps ? Task.FromException(new WaitNotAheadException()) : Task.Delay(delay, _log.Time, cancellationToken);

    /// <summary>Ends the wait (once; later calls do nothing).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _ended, 1) == 0)
        {
            _log.Add(_target, _started, _log.Time.GetTimestamp());
        }
    }
}
