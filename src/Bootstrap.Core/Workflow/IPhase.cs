namespace Bootstrap.Core.Workflow;

/// <summary>
/// One step of a workflow, addressed by its path in the tree (<c>preflight</c>, <c>control-plane/apiserver</c>).
/// A phase either groups <see cref="Children"/> (<see cref="PhaseGroup"/>, never run itself) or is a leaf
/// (<see cref="ILeafPhase"/>) that the runner plans and applies on each of its targets.
/// </summary>
public interface IPhase
{
    /// <summary>The path segment: lower-case letters, digits and dashes.</summary>
    string Name { get; }

    /// <summary>One line for <c>--help</c>.</summary>
    string Description { get; }

    /// <summary>The sub-phases, run in order; empty for a leaf.</summary>
    IReadOnlyList<IPhase> Children { get; }
}
