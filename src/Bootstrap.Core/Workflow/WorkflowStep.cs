namespace Bootstrap.Core.Workflow;

/// <summary>One leaf of a tree as a selection runs it: its path, whether it runs, and on which targets.</summary>
public sealed record WorkflowStep(string Path, ILeafPhase Phase, bool Included, IReadOnlyList<PhaseTarget> Targets);
