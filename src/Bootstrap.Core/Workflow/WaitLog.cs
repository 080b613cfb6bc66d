namespace Bootstrap.Core.Workflow;

/// <summary>
/// The time a run spends waiting for a component: a service to be healthy, a Node to register or be Ready, a
/// controller to act, etcd to settle. Each <see cref="Wait"/> adds the interval it was open (its probes included)
/// against the target whose phase waited. The runner reports, per target and per phase, the wall time during which
/// at least one wait was open: the union of the intervals, so nested or overlapping waits count once. Thread-safe.
/// </summary>
public sealed class WaitLog
{
    private readonly Lock _gate = new();
    private readonly List<(string Target, long Start, long End)> _intervals = [];

    internal WaitLog(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        Time = time;
    }

    public TimeProvider Time { get; }

    /// <summary>
    /// Whether the waits counted here give up at their first sleep instead of sleeping (<see cref="WaitNotAheadException"/>):
    /// those of plans and checks made ahead of their turn, which must not hold their place while a component is not there yet.
    /// </summary>
    internal bool NeverSleeps { get; init; }

    /// <summary>Where the waits of <paramref name="target"/> (a host, <c>cluster</c> or <c>workstation</c>) are counted.</summary>
    public Waiting For(string target) => new(this, target);

    /// <summary>
    /// The wall time between the timestamps <paramref name="since"/> and <paramref name="until"/> (of <see cref="Time"/>) during
    /// which at least one wait of <paramref name="target"/> was open, or one of any target when it is null.
    /// </summary>
    internal TimeSpan Waited(string? target, long since, long until)
    {
        List<(long Start, long End)> spans;
        lock (_gate)
        {
            spans = [.. _intervals.Where(i => target is null || i.Target == target).Select(i => (Math.Max(i.Start, since), Math.Min(i.End, until)))];
        }

        return Time.GetElapsedTime(0, Union(spans));
    }

    internal void Add(string target, long start, long end)
    {
        lock (_gate)
        {
            _intervals.Add((target, start, end));
        }
    }

    /// <summary>The length of the union of <paramref name="intervals"/> (empty or reversed ones count nothing).</summary>
    internal static long Union(IEnumerable<(long Start, long End)> intervals)
    {
        long total = 0;
        long? start = null;
        long end = 0;
        foreach (var (s, e) in intervals.Where(i => i.End > i.Start).OrderBy(i => i.Start))
        {
            if (start is not null && s <= end)
            {
                end = Math.Max(end, e);
                continue;
            }

            total += start is null ? 0 : end - start.Value;
            (start, end) = (s, e);
        }

        return total + (start is null ? 0 : end - start.Value);
    }
}
