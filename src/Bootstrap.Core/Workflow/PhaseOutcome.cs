namespace Bootstrap.Core.Workflow;

/// <summary>One leaf phase of a run and what happened on each of its hosts.</summary>
public sealed record PhaseOutcome
{
    public required string Path { get; init; }

    public required PhaseState State { get; init; }

    public IReadOnlyList<HostPhaseOutcome> Hosts { get; init; } = [];

    public TimeSpan Duration { get; init; }

    /// <summary>The part of <see cref="Duration"/> during which at least one of its targets waited for a component (<see cref="WaitLog"/>).</summary>
    public TimeSpan Waited { get; init; }
}
