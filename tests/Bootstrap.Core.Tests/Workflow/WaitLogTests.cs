using System.Reflection;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Workflow;

public sealed class WaitLogTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private readonly SteppingClock _clock = new();

    [Fact]
    public void Waits_of_several_targets_that_overlap_count_once_for_everyone_and_in_full_for_each()
    {
        var log = new WaitLog(_clock);
        var cp1 = log.For("cp1").Begin(); // 0 → 10 s
        _clock.Advance(5 * Second);
        var cp2 = log.For("cp2").Begin(); // 5 → 15 s
        _clock.Advance(5 * Second);
        cp1.Dispose();
        _clock.Advance(5 * Second);
        cp2.Dispose();
        _clock.Advance(5 * Second); // 15 → 20 s: nobody waits
        using (log.For("w1").Begin())
        {
            _clock.Advance(2 * Second); // 20 → 22 s
        }

        var end = _clock.GetTimestamp();
        Assert.Equal(17 * Second, log.Waited(null, 0, end));
        Assert.Equal(10 * Second, log.Waited("cp1", 0, end));
        Assert.Equal(10 * Second, log.Waited("cp2", 0, end));
        Assert.Equal(2 * Second, log.Waited("w1", 0, end));
        Assert.Equal(TimeSpan.Zero, log.Waited("w2", 0, end));
    }

    [Fact]
    public void A_wait_inside_another_of_the_same_target_adds_nothing()
    {
        var log = new WaitLog(_clock);
        var waiting = log.For("cp1");
        using (waiting.Begin())
        {
            _clock.Advance(Second);
            using (waiting.Begin())
            {
                _clock.Advance(3 * Second);
            }

            _clock.Advance(Second);
        }

        Assert.Equal(5 * Second, log.Waited("cp1", 0, _clock.GetTimestamp()));
    }

    [Fact]
    public void Only_the_part_of_a_wait_inside_the_window_asked_about_counts()
    {
        var log = new WaitLog(_clock);
        using (log.For("cp1").Begin())
        {
            _clock.Advance(4 * Second); // an earlier phase's wait: 0 → 4 s
        }

        var phaseStarted = _clock.GetTimestamp();
        using (log.For("cp1").Begin())
        {
            _clock.Advance(3 * Second); // 4 → 7 s
        }

        Assert.Equal(3 * Second, log.Waited("cp1", phaseStarted, _clock.GetTimestamp()));
        Assert.Equal(Second, log.Waited("cp1", phaseStarted, phaseStarted + Second.Ticks));
    }

    [Fact]
    public void A_wait_ended_twice_counts_once_and_an_uncounted_one_is_reported_nowhere()
    {
        var log = new WaitLog(_clock);
        var wait = log.For("cp1").Begin();
        _clock.Advance(2 * Second);
        wait.Dispose();
        _clock.Advance(2 * Second);
        wait.Dispose();
        using (Waiting.Uncounted(_clock).Begin())
        {
            _clock.Advance(Second);
        }

        Assert.Equal(2 * Second, log.Waited(null, 0, _clock.GetTimestamp()));
    }

    [Fact]
    public async Task A_delay_of_a_wait_sleeps_on_the_runs_clock_and_counts()
    {
        var log = new WaitLog(_clock);
        using (var wait = log.For("cp1").Begin())
        {
            await wait.DelayAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        }

        Assert.Equal(TimeSpan.FromSeconds(30), _clock.Elapsed);
        Assert.Equal(TimeSpan.FromSeconds(30), log.Waited("cp1", 0, _clock.GetTimestamp()));
    }

    [Fact]
    public void Nothing_in_Bootstrap_Core_sleeps_but_a_Wait_so_no_poll_for_a_component_goes_uncounted()
    {
        var sources = typeof(WaitLogTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CoreSources").Value!;
        var files = Directory.EnumerateFiles(sources, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(sources, f).Split(Path.DirectorySeparatorChar)[0].Equals("obj", StringComparison.Ordinal))
            .ToList();
        var wait = Path.Combine("Workflow", "Wait.cs");
        var sleeping = files
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(sources, f), Line: i + 1, Text: line)))
            .Where(l => l.Text.Contains("Task.Delay(", StringComparison.Ordinal) || l.Text.Contains("Thread.Sleep(", StringComparison.Ordinal))
            .ToList();

        Assert.Contains(sleeping, l => l.File == wait);
        var elsewhere = sleeping.Where(l => l.File != wait).Select(l => $"{l.File}:{l.Line}").ToList();
        Assert.True(elsewhere.Count == 0, "sleeps outside a Wait (poll with Waiting.Begin() and Wait.DelayAsync instead): " + string.Join(", ", elsewhere));
    }

    [Theory]
    [InlineData(new long[] { }, 0)]
    [InlineData(new long[] { 0, 10, 10, 20 }, 20)]
    [InlineData(new long[] { 10, 20, 0, 5, 3, 12 }, 20)]
    [InlineData(new long[] { 0, 10, 2, 3, 4, 5 }, 10)]
    [InlineData(new long[] { 5, 5, 9, 4, 0, 1 }, 1)]
    public void The_union_of_intervals_counts_each_instant_once_and_empty_or_reversed_ones_not_at_all(long[] bounds, long expected)
    {
        var intervals = bounds.Chunk(2).Select(b => (b[0], b[1]));

        Assert.Equal(expected, WaitLog.Union(intervals));
    }
}
