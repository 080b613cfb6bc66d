namespace Bootstrap.Ssh;

/// <summary>
/// SSH.NET waits for the server on the calling thread: its connect (key exchange, then authentication), a command's
/// channel open and exec request all block a thread-pool thread until the host answers. Past its
/// minimum (one thread per core) the pool adds threads slowly, about two a second, so seven connects on two cores
/// end one after another, about half a second apart, and so do the commands of seven hosts read at once. Every call
/// into SSH.NET that may block is entered here, and the pool's minimum is kept at the cores plus the most such calls
/// in progress at once: a thread is there when one blocks. Only raised, never lowered; bounded by the connections open
/// at once (spec.ssh.concurrency) times the calls each host runs together.
/// </summary>
internal static class BlockingCalls
{
    private static readonly Lock Gate = new();
    private static int _inProgress;
    private static int _reserved;

    /// <summary>The calls in progress now.</summary>
    internal static int InProgress => Volatile.Read(ref _inProgress);

    /// <summary>Marks one call that may block until the returned scope is disposed, the pool's minimum raised first to hold it.</summary>
    public static Scope Enter()
    {
        Reserve(Environment.ProcessorCount + Interlocked.Increment(ref _inProgress));
        return new Scope();
    }

    private static void Reserve(int wanted)
    {
        if (wanted <= Volatile.Read(ref _reserved))
        {
            return;
        }

        lock (Gate)
        {
            if (wanted <= _reserved)
            {
                return;
            }

            ThreadPool.GetMinThreads(out var workers, out var completionPorts);
            if (workers < wanted)
            {
                ThreadPool.SetMinThreads(wanted, completionPorts);
            }

            Volatile.Write(ref _reserved, Math.Max(wanted, workers));
        }
    }

    /// <summary>One call in progress; disposing it ends it (once).</summary>
    public sealed class Scope : IDisposable
    {
        private int _ended;

        internal Scope()
        {
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                Interlocked.Decrement(ref _inProgress);
            }
        }
    }
}
