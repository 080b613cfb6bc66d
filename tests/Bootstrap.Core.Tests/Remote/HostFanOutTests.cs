using Bootstrap.Core.Remote;
using Serilog.Core;

namespace Bootstrap.Core.Tests.Remote;

public sealed class HostFanOutTests
{
    private static IReadOnlyList<IRemoteHost> Hosts(int count) =>
        Enumerable.Range(1, count).Select(i => (IRemoteHost)new LocalHost("node" + i, new SecretRedactor(), Logger.None)).ToList();

    [Fact]
    public async Task Never_runs_more_hosts_at_once_than_the_limit()
    {
        var running = 0;
        var peak = 0;
        var results = await HostFanOut.RunAsync(Hosts(10), async (host, token) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await Task.Delay(30, token);
            Interlocked.Decrement(ref running);
            return host.Name;
        }, maxConcurrency: 3, CancellationToken.None);

        Assert.Equal(3, peak);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => "node" + i), results.Select(r => r.Value));
    }

    [Fact]
    public async Task One_host_failing_keeps_the_others_results_and_is_named()
    {
        var results = await HostFanOut.RunAsync(Hosts(3), (host, _) =>
            host.Name == "node2" ? throw new InvalidOperationException("disk full") : Task.FromResult(host.Name.Length),
            maxConcurrency: 3, CancellationToken.None);

        Assert.True(results[0].Succeeded);
        Assert.False(results[1].Succeeded);
        Assert.True(results[2].Succeeded);
        Assert.Equal(5, results[2].Value);
        var error = Assert.Throws<HostFanOutException>(() => results.ValuesOrThrow());
        Assert.Equal(["node2"], error.FailedHosts);
        Assert.Contains("node2: disk full", error.Message, StringComparison.Ordinal);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
