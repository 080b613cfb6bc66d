namespace Bootstrap.Ssh.Tests;

public sealed class BlockingCallsTests
{
    [Fact]
    public void Each_call_in_progress_has_a_pool_thread_beyond_the_cores_ready_for_it()
    {
        // Other tests' calls may be in progress too: they only raise the minimum further.
        var calls = Enumerable.Range(0, 40).Select(_ => BlockingCalls.Enter()).ToList();
        try
        {
            ThreadPool.GetMinThreads(out var workers, out _);
            Assert.True(workers >= Environment.ProcessorCount + calls.Count,
                $"the pool's minimum is {workers} worker threads with {calls.Count} calls in progress on {Environment.ProcessorCount} cores");
            Assert.True(BlockingCalls.InProgress >= calls.Count);
        }
        finally
        {
            calls.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public void A_call_ends_once_however_often_it_is_disposed()
    {
        var call = BlockingCalls.Enter();
        var held = Enumerable.Range(0, 3).Select(_ => BlockingCalls.Enter()).ToList();
        call.Dispose();
        call.Dispose();
        call.Dispose();

        // The three still held are counted whatever else runs.
        Assert.True(BlockingCalls.InProgress >= held.Count);
        held.ForEach(c => c.Dispose());
    }
}
