using System.Text.Json;
using Bootstrap.Cli.Workflow;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Cli.Workflow;

/// <summary>How a target's and a phase's time spent waiting for components reaches --output json and the console.</summary>
public sealed class WorkflowObserversTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly WorkflowEvent HostEnd = new()
    {
        Kind = WorkflowEventKind.HostFinished,
        Phase = "kubelet-start",
        Time = Now,
        Host = "w1",
        Status = HostPhaseStatus.Changed,
        Changed = true,
        Duration = TimeSpan.FromMilliseconds(41234.56),
        Waited = TimeSpan.FromMilliseconds(38000.04),
    };

    private static readonly WorkflowEvent PhaseEnd = new()
    {
        Kind = WorkflowEventKind.PhaseFinished,
        Phase = "kubelet-start",
        Time = Now,
        State = PhaseState.Completed,
        Changed = true,
        Duration = TimeSpan.FromSeconds(45.04),
        Waited = TimeSpan.FromSeconds(40.26),
    };

    [Fact]
    public void Json_host_end_and_phase_end_carry_waitMs_next_to_durationMs_and_a_skipped_phase_neither()
    {
        using var output = new StringWriter { NewLine = "\n" };
        var observer = new JsonLinesObserver(output);

        observer.OnEvent(HostEnd);
        observer.OnEvent(PhaseEnd);
        observer.OnEvent(new WorkflowEvent { Kind = WorkflowEventKind.PhaseFinished, Phase = "addons", Time = Now, State = PhaseState.Skipped });

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal("host-end", lines[0].GetProperty("event").GetString());
        Assert.Equal(41234.6, lines[0].GetProperty("durationMs").GetDouble());
        Assert.Equal(38000, lines[0].GetProperty("waitMs").GetDouble());
        Assert.Equal("phase-end", lines[1].GetProperty("event").GetString());
        Assert.Equal(45040, lines[1].GetProperty("durationMs").GetDouble());
        Assert.Equal(40260, lines[1].GetProperty("waitMs").GetDouble());
        Assert.False(lines[2].TryGetProperty("durationMs", out _));
        Assert.False(lines[2].TryGetProperty("waitMs", out _));
    }

    [Fact]
    public void The_console_says_how_much_of_a_phase_was_waiting_only_when_it_waited()
    {
        using var console = new StringWriter { NewLine = "\n" };
        using (var logger = RunLogging.Create(console, logFile: null, verbose: false))
        {
            var observer = new ConsoleWorkflowObserver(logger);
            observer.OnEvent(PhaseEnd);
            observer.OnEvent(PhaseEnd with { Phase = "certs", Waited = TimeSpan.FromMilliseconds(10) });
        }

        var lines = console.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith(" INF [kubelet-start] done: changed (45.0s, 40.3s of it waiting)", lines[0], StringComparison.Ordinal);
        Assert.EndsWith(" INF [certs] done: changed (45.0s)", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void The_console_names_a_target_once_in_a_line_about_its_failure_or_cancellation()
    {
        using var console = new StringWriter { NewLine = "\n" };
        using (var logger = RunLogging.Create(console, logFile: null, verbose: false))
        {
            var observer = new ConsoleWorkflowObserver(logger);
            observer.OnEvent(HostEnd with { Host = "lb1", Status = HostPhaseStatus.Cancelled, Error = "lb1: cancelled while preflight was reading it" });
            observer.OnEvent(HostEnd with { Host = "cp1", Status = HostPhaseStatus.Error, Error = "cp1: `etcdctl member list` failed: the connection was lost" });
            observer.OnEvent(HostEnd with { Host = "cp2", Status = HostPhaseStatus.Error, Error = "cp20: an error that names another host" });
        }

        var lines = console.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith(" lb1: cancelled while preflight was reading it", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("lb1: lb1", lines[0], StringComparison.Ordinal);
        Assert.EndsWith(" cp1: error: `etcdctl member list` failed: the connection was lost", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(" cp2: error: cp20: an error that names another host", lines[2], StringComparison.Ordinal);
    }
}
