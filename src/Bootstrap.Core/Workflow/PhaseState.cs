namespace Bootstrap.Core.Workflow;

/// <summary>Where a phase stands at the end of a run; what Ctrl-C or a failure left behind.</summary>
public enum PhaseState
{
    /// <summary>Ran to the end on every target host.</summary>
    Completed,

    /// <summary>Ran on every target host and failed on at least one.</summary>
    Failed,

    /// <summary>Cancelled while running: some hosts may be half-way (the phase is safe to run again).</summary>
    Interrupted,

    /// <summary>Not run: excluded by the selection or <c>--skip-phases</c>.</summary>
    Skipped,

    /// <summary>Not run: an earlier phase failed or the run was cancelled first.</summary>
    NotStarted,
}
