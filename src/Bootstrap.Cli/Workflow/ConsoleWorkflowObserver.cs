using Bootstrap.Core.Workflow;
using Serilog;

namespace Bootstrap.Cli.Workflow;

/// <summary>Logs progress: one line per phase start and end (with the time it waited for components, if any) and per host, each naming the phase (and host).</summary>
internal sealed class ConsoleWorkflowObserver(ILogger logger) : IWorkflowObserver
{
    // A phase's time spent waiting for components is shown once it would not print as 0.0s.
    private static readonly TimeSpan ShownWait = TimeSpan.FromMilliseconds(50);

    public void OnEvent(WorkflowEvent workflowEvent)
    {
        ArgumentNullException.ThrowIfNull(workflowEvent);
        var e = workflowEvent;
        switch (e.Kind)
        {
            case WorkflowEventKind.PhaseStarted:
                logger.Information("[{Phase}] running on {Hosts}", e.Phase, string.Join(", ", e.Hosts));
                break;
            case WorkflowEventKind.HostFinished when e.Status is HostPhaseStatus.Changed or HostPhaseStatus.Unchanged:
                logger.Information("[{Phase}] {Host}: {Status} ({Duration:0.0}s)", e.Phase, e.Host, Describe(e.Status.Value), e.Duration?.TotalSeconds);
                break;
            case WorkflowEventKind.HostFinished when e.Status is HostPhaseStatus.Cancelled:
                logger.Warning("[{Phase}] {Host}: {Error}", e.Phase, e.Host, WithoutHost(e.Host, e.Error));
                break;
            case WorkflowEventKind.HostFinished:
                logger.Error("[{Phase}] {Host}: {Status}: {Error}", e.Phase, e.Host, Describe(e.Status!.Value), WithoutHost(e.Host, e.Error));
                break;
            case WorkflowEventKind.PhaseFinished when e.State is PhaseState.Completed && e.Waited >= ShownWait:
                logger.Information("[{Phase}] done: {Change} ({Duration:0.0}s, {Waited:0.0}s of it waiting)", e.Phase, e.Changed == true ? "changed" : "no change", e.Duration?.TotalSeconds, e.Waited?.TotalSeconds);
                break;
            case WorkflowEventKind.PhaseFinished when e.State is PhaseState.Completed:
                logger.Information("[{Phase}] done: {Change} ({Duration:0.0}s)", e.Phase, e.Changed == true ? "changed" : "no change", e.Duration?.TotalSeconds);
                break;
            case WorkflowEventKind.PhaseFinished:
                logger.Warning("[{Phase}] {State}", e.Phase, Describe(e.State!.Value));
                break;
        }
    }

    /// <summary>A target's error without the target's name it starts with (the line names the target already: "cp1: cp1: …" otherwise).</summary>
    internal static string? WithoutHost(string? host, string? error) =>
        host is not null && error is not null && error.StartsWith(host + ": ", StringComparison.Ordinal) ? error[(host.Length + 2)..] : error;

    public static string Describe(HostPhaseStatus status) => status switch
    {
        HostPhaseStatus.Changed => "changed",
        HostPhaseStatus.Unchanged => "unchanged",
        HostPhaseStatus.Failed => "failed",
        HostPhaseStatus.Error => "error",
        _ => "cancelled",
    };

    public static string Describe(PhaseState state) => state switch
    {
        PhaseState.Completed => "completed",
        PhaseState.Failed => "failed",
        PhaseState.Interrupted => "interrupted",
        PhaseState.Skipped => "skipped",
        _ => "not started",
    };
}
