namespace Bootstrap.Core.Remote;

/// <summary>
/// Keeps the garbage of long transfers from piling up. SSH.NET allocates fresh buffers for every packet it sends or
/// receives (the payload, its padding, its cipher text), and the runtime lets young garbage grow to its gen0 budget
/// before it collects: a budget sized from the CPU's cache, 200 MB and more on machines that report a large L3. A fresh
/// init moves over a gigabyte, so its peak memory was the budget's worth of dead packets. Every
/// <see cref="Step"/> bytes moved over all transfers, a gen0 collection (a few milliseconds: nearly everything in it is
/// dead) returns that garbage, and the run's peak stays the live data plus about a step.
/// </summary>
public sealed class TransferGarbage
{
    /// <summary>Bytes moved between two collections.</summary>
    public const long Step = 32L << 20;

    private readonly Action _collect;
    private long _moved;

    /// <param name="collect">What to do every <see cref="Step"/> bytes; tests count the calls.</param>
    public TransferGarbage(Action collect)
    {
        ArgumentNullException.ThrowIfNull(collect);
        _collect = collect;
    }

    /// <summary>The process's own: collects generation 0.</summary>
    public static TransferGarbage Shared { get; } = new(() => GC.Collect(0, GCCollectionMode.Forced, blocking: true));

    /// <summary>
    /// Counts <paramref name="bytes"/> more moved (from any thread) and collects when the total passes a multiple of
    /// <see cref="Step"/>: once per multiple, by the caller whose bytes passed it.
    /// </summary>
    public void Moved(long bytes)
    {
        if (bytes <= 0)
        {
            return;
        }

        var total = Interlocked.Add(ref _moved, bytes);
        if ((total - bytes) / Step != total / Step)
        {
            _collect();
        }
    }
}
