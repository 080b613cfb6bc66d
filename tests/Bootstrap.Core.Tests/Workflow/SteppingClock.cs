namespace Bootstrap.Core.Tests.Workflow;

/// <summary>
/// A clock that moves only when something takes time: the test (or a fake host answering a command) moves it with
/// <see cref="Advance"/>, and a delay (<c>Task.Delay</c> on this clock) completes at once, moving it on by its length.
/// Deadlines (a <see cref="CancellationTokenSource"/> on this clock) fire, on the thread that moved the clock, once it
/// reaches them. Wall time and timestamps are the same count of ticks, so figures come out exact.
/// </summary>
internal sealed class SteppingClock : TimeProvider
{
    private static readonly DateTimeOffset Origin = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly Lock _gate = new();
    private readonly List<Deadline> _deadlines = [];
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>How far the clock has moved.</summary>
    public TimeSpan Elapsed
    {
        get
        {
            lock (_gate)
            {
                return TimeSpan.FromTicks(_ticks);
            }
        }
    }

    public override long GetTimestamp() => Elapsed.Ticks;

    public override DateTimeOffset GetUtcNow() => Origin + Elapsed;

    /// <summary>Moves the clock on; deadlines it reaches fire before this returns.</summary>
    public void Advance(TimeSpan by)
    {
        List<Deadline> due;
        lock (_gate)
        {
            _ticks += by.Ticks;
            due = [.. _deadlines.Where(d => d.Due <= _ticks)];
            _deadlines.RemoveAll(due.Contains);
        }

        foreach (var deadline in due)
        {
            deadline.Fire();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Deadline(this, callback, state);
        if (state is CancellationTokenSource)
        {
            timer.Change(dueTime, period);
        }
        else if (dueTime != Timeout.InfiniteTimeSpan)
        {
            // A delay: it takes its time at once, then completes.
            Advance(dueTime);
            ThreadPool.QueueUserWorkItem(_ => callback(state));
        }

        return timer;
    }

    private sealed class Deadline(SteppingClock clock, TimerCallback callback, object? state) : ITimer
    {
        public long Due { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                clock._deadlines.Remove(this);
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    Due = clock._ticks + dueTime.Ticks;
                    clock._deadlines.Add(this);
                }
            }

            return true;
        }

        public void Dispose()
        {
            lock (clock._gate)
            {
                clock._deadlines.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
