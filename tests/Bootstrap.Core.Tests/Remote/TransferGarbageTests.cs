using Bootstrap.Core.Remote;
using Serilog.Core;

namespace Bootstrap.Core.Tests.Remote;

public sealed class TransferGarbageTests
{
    [Fact]
    public void Transfers_on_several_threads_collect_once_per_step_moved_in_all()
    {
        var collections = 0;
        var garbage = new TransferGarbage(() => Interlocked.Increment(ref collections));

        // Four transfers of 25 MB each, reported a megabyte at a time on four threads: 100 MB passes 32, 64 and 96 MB.
        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 25; i++)
            {
                garbage.Moved(1L << 20);
            }
        });

        Assert.Equal(3, collections);
    }

    [Fact]
    public void Progress_counts_what_each_report_adds_to_the_last()
    {
        var collections = 0;
        var garbage = new TransferGarbage(() => collections++);
        var first = new UploadProgress(Logger.None, "cp1", "/usr/local/bin/kubelet", 40L << 20, garbage: garbage);
        var second = new UploadProgress(Logger.None, "cp2", "/usr/local/bin/kubelet", 40L << 20, garbage: garbage);

        // Reports carry the bytes so far: 20 + 20 MB of the first file, then 24 MB of the second, is 64 MB moved.
        first.Report(20UL << 20);
        first.Report(40UL << 20);
        Assert.Equal(1, collections);
        second.Report(24UL << 20);
        Assert.Equal(2, collections);

        // A report that arrives late (fewer bytes than the last one) moves nothing.
        second.Report(10UL << 20);
        Assert.Equal(2, collections);
    }

    [Fact]
    public void Nothing_moved_collects_nothing()
    {
        var collections = 0;
        var garbage = new TransferGarbage(() => collections++);

        garbage.Moved(0);
        garbage.Moved(-5);
        garbage.Moved(TransferGarbage.Step - 1);

        Assert.Equal(0, collections);
    }
}
