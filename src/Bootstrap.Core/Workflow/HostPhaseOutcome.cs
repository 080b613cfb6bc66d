namespace Bootstrap.Core.Workflow;

/// <summary>One phase on one target: how it ended, how long it took (and waited), what it did or why it failed (redacted).</summary>
public sealed record HostPhaseOutcome
{
    /// <summary>The host, or <see cref="PhaseTarget.ClusterName"/> / <see cref="PhaseTarget.WorkstationName"/>.</summary>
    public required string Host { get; init; }

    public required HostPhaseStatus Status { get; init; }

    public required TimeSpan Duration { get; init; }

    /// <summary>The part of <see cref="Duration"/> during which the target waited for a component (<see cref="WaitLog"/>).</summary>
    public TimeSpan Waited { get; init; }

    /// <summary>The report lines: each change (made, or in a dry run that would be made), then what was found in place.</summary>
    public IReadOnlyList<string> Details { get; init; } = [];

    /// <summary>The changes made (or, in a dry run, that would be made), as records.</summary>
    public IReadOnlyList<Change> Changes { get; init; } = [];

    /// <summary>The failure or error, starting with the target's name; null when the phase succeeded.</summary>
    public string? Error { get; init; }

    public bool Changed => Status == HostPhaseStatus.Changed;

    public bool Succeeded => Status is HostPhaseStatus.Changed or HostPhaseStatus.Unchanged;
}
