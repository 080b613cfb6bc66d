namespace Bootstrap.Core.Workflow;

/// <summary>
/// One thing that happened during a run, for progress output and automation (<c>--output json</c>
/// writes one per line). Texts are already redacted.
/// </summary>
public sealed record WorkflowEvent
{
    public required WorkflowEventKind Kind { get; init; }

    public required string Phase { get; init; }

    public required DateTimeOffset Time { get; init; }

    /// <summary>The target (a host, or cluster / workstation), for <see cref="WorkflowEventKind.HostFinished"/> and <see cref="WorkflowEventKind.Change"/>.</summary>
    public string? Host { get; init; }

    /// <summary>The hosts a phase runs on, for <see cref="WorkflowEventKind.PhaseStarted"/>.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>How the host finished, for <see cref="WorkflowEventKind.HostFinished"/>.</summary>
    public HostPhaseStatus? Status { get; init; }

    /// <summary>How the phase ended, for <see cref="WorkflowEventKind.PhaseFinished"/>.</summary>
    public PhaseState? State { get; init; }

    public bool? Changed { get; init; }

    public TimeSpan? Duration { get; init; }

    /// <summary>
    /// The part of <see cref="Duration"/> spent waiting for a component: for <see cref="WorkflowEventKind.HostFinished"/> the
    /// target's waits; for <see cref="WorkflowEventKind.PhaseFinished"/> the wall time during which at least one target waited.
    /// </summary>
    public TimeSpan? Waited { get; init; }

    public string? Error { get; init; }

    public IReadOnlyList<string> Details { get; init; } = [];

    /// <summary>The change, for <see cref="WorkflowEventKind.Change"/>.</summary>
    public Change? Change { get; init; }
}
