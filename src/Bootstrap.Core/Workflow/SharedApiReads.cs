using System.Collections.Concurrent;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// The API reads of a run's plans, each made once for all of them: a phase planned for five nodes that lists the Nodes, and the
/// phases planned beside it that read them too, take one list from the API instead of one each. The same rules as a host's
/// reads (<see cref="ReadAhead"/>):
/// <list type="bullet">
/// <item>only while the run has changed nothing: after its first change, every plan reads the API itself;</item>
/// <item>at most once per phase and target: a plan that reads the same thing again (a wait polling the API) reads the API;</item>
/// <item>only within <see cref="MaxAge"/> of the read (the plans of a run that changes nothing are made within moments of each
/// other), and only a read that succeeded: a failed one is reported by its own plan, and the others read the API;</item>
/// <item>only in a plan: what changes apply reads the API itself.</item>
/// </list>
/// Plans share the objects returned: they only read them (what applies a change reads the object again).
/// </summary>
internal sealed class SharedApiReads(ReadAhead reads, TimeProvider time)
{
    /// <summary>How old another plan's read may be for a plan to take it.</summary>
    internal static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, Lazy<Task<Read>>> _reads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Phase, string Target, string Key), bool> _served = new();
    private int _shared;
    private int _live;

    /// <summary>How many reads were taken from another plan's read.</summary>
    public int Shared => Volatile.Read(ref _shared);

    /// <summary>How many reads went to the API.</summary>
    public int Live => Volatile.Read(ref _live);

    /// <summary>
    /// What <paramref name="live"/> reads from the API for <paramref name="key"/> (which names the object and the way it is read,
    /// so that one key always reads the same type): another plan's read of it when the rules above allow, else read now.
    /// </summary>
    public async Task<T> ReadAsync<T>(string key, Func<Task<T>> live, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(live);
        if (ReadAhead.CurrentPlan is not { } plan || reads.Dropped || !_served.TryAdd((plan.Phase, plan.Target, key), true))
        {
            return await LiveAsync(live).ConfigureAwait(false);
        }

        var mine = new Lazy<Task<Read>>(() => TimedAsync(live));
        var first = _reads.GetOrAdd(key, mine);
        if (!ReferenceEquals(first, mine))
        {
            try
            {
                var read = await first.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (!reads.Dropped && time.GetElapsedTime(read.Taken) <= MaxAge)
                {
                    Interlocked.Increment(ref _shared);
                    return (T)read.Value!;
                }
            }
#pragma warning disable CA1031 // Its failure is that plan's to report: this one reads the API itself.
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
            }

            // Too old, or failed: this plan's read replaces it for the plans after it.
            if (!_reads.TryUpdate(key, mine, first))
            {
                return await LiveAsync(live).ConfigureAwait(false);
            }
        }

        Interlocked.Increment(ref _live);
        try
        {
            return (T)(await mine.Value.ConfigureAwait(false)).Value!;
        }
        catch
        {
            _reads.TryRemove(new KeyValuePair<string, Lazy<Task<Read>>>(key, mine));
            throw;
        }
    }

    private async Task<T> LiveAsync<T>(Func<Task<T>> live)
    {
        Interlocked.Increment(ref _live);
        return await live().ConfigureAwait(false);
    }

    private async Task<Read> TimedAsync<T>(Func<Task<T>> live)
    {
        var value = await live().ConfigureAwait(false);
        return new Read(value, time.GetTimestamp());
    }

    private sealed record Read(object? Value, long Taken);
}
