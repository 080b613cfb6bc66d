namespace Bootstrap.Core.Workflow;

public enum WorkflowEventKind
{
    /// <summary>A leaf phase starts on its hosts.</summary>
    PhaseStarted,

    /// <summary>A change was made on a target (in a dry run: would be made); sent before the target's <see cref="HostFinished"/>.</summary>
    Change,

    /// <summary>A leaf phase finished on one host (changed or not, failed, or cancelled).</summary>
    HostFinished,

    /// <summary>A leaf phase finished on all its hosts, was skipped, or never started.</summary>
    PhaseFinished,
}
