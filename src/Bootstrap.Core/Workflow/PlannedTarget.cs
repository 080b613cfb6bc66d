namespace Bootstrap.Core.Workflow;

/// <summary>A target's plan in a phase (or why there is none: it failed, or was cancelled), and when its planning started.</summary>
internal sealed record PlannedTarget(PhaseTarget Target, long Started, TargetPlan? Plan, HostPhaseStatus? Failed, string? Error)
{
    /// <summary>Changes nothing, refuses nothing, and did not fail.</summary>
    public bool ChangesNothing => Plan is { Changes.Count: 0, Refusal: null };
}
