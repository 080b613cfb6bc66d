using Bootstrap.Core.Etcd;
using Bootstrap.Core.Phases.Etcd;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Tests.Workflow;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Phases.Etcd;

public sealed class EtcdMembershipChangesTests
{
    [Fact]
    public async Task A_removal_etcd_refuses_while_the_cluster_settles_is_retried_until_it_is_accepted()
    {
        var (context, removes) = Cp1Refusing(times: 3, "Error: etcdserver: unhealthy cluster");

        await EtcdMembershipChanges.RemoveAsync(new ApplyContext(context, context.Hosts), Client(context), 0x42, CancellationToken.None);

        Assert.Equal(4, removes());
    }

    [Fact]
    public async Task Another_refusal_is_not_retried()
    {
        var (context, removes) = Cp1Refusing(times: 1, "Error: etcdserver: member not found");

        var e = await Assert.ThrowsAsync<EtcdException>(() => EtcdMembershipChanges.RemoveAsync(new ApplyContext(context, context.Hosts), Client(context), 0x42, CancellationToken.None));

        Assert.Contains("member not found", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, removes());
    }

    [Fact]
    public async Task A_cluster_that_never_settles_ends_the_retries_with_etcds_refusal()
    {
        var (context, removes) = Cp1Refusing(times: int.MaxValue, "Error: etcdserver: unhealthy cluster");

        var e = await Assert.ThrowsAsync<EtcdException>(() => EtcdMembershipChanges.RemoveAsync(new ApplyContext(context, context.Hosts), Client(context), 0x42, CancellationToken.None));

        Assert.Contains("unhealthy cluster", e.Message, StringComparison.Ordinal);
        Assert.InRange(removes(), 10, 20);
    }

    private static EtcdClient Client(PhaseContext context) =>
        EtcdClient.OnMember(context.Hosts["cp1"], context.Config.Hosts.Single(h => h.Name == "cp1"), context.Redactor);

    /// <summary>cp1's etcdctl refuses `member remove` the first <paramref name="times"/> times with <paramref name="error"/>.</summary>
    private static (PhaseContext Context, Func<int> Removes) Cp1Refusing(int times, string error)
    {
        var removes = 0;
        var host = new FakeHost("cp1", command =>
        {
            if (!command.Argv.Contains("remove"))
            {
                return new CommandResult(127, string.Empty, "not faked");
            }

            return Interlocked.Increment(ref removes) <= times ? new CommandResult(1, string.Empty, error) : new CommandResult(0, "Member 42 removed", string.Empty);
        });
        return (Changes.On(host, time: new InstantTime()), () => Volatile.Read(ref removes));
    }

    /// <summary>A clock whose timers fire at once, moving its time on by their due time: waits take no real time.</summary>
    private sealed class InstantTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                Interlocked.Add(ref _ticks, dueTime.Ticks);
                ThreadPool.QueueUserWorkItem(_ => callback(state));
            }

            return new NoTimer();
        }

        private sealed class NoTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
