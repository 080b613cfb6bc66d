namespace Bootstrap.Core.Workflow;

/// <summary>Every leaf phase of a run, in tree order, with its state.</summary>
public sealed record WorkflowResult
{
    public required IReadOnlyList<PhaseOutcome> Phases { get; init; }

    public bool Cancelled => Phases.Any(p => p.State == PhaseState.Interrupted);

    public bool Succeeded => Phases.All(p => p.State is PhaseState.Completed or PhaseState.Skipped);

    /// <summary>The first phase that failed, if any.</summary>
    public PhaseOutcome? FirstFailure => Phases.FirstOrDefault(p => p.State == PhaseState.Failed);
}
