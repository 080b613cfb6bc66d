namespace Bootstrap.Core.Workflow;

/// <summary>
/// What a leaf found on one target: the changes that would bring it where the phase wants it, report lines
/// about what already holds, and optionally a check that runs after the changes in a real run (a node is
/// Ready, a service is healthy). A plan may instead refuse the target (<see cref="Refusal"/>): nothing is
/// then changed on it, and the phase fails.
/// </summary>
public sealed record TargetPlan
{
    public IReadOnlyList<Change> Changes { get; init; } = [];

    /// <summary>Lines about what is already right or was checked (shown in reports, never applied).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Why the phase refuses to change this target; set, the phase fails on it before anything is applied anywhere.</summary>
    public string? Refusal { get; init; }

    /// <summary>
    /// The changes restart a running service: they are applied in this host's turn of the phase's roll (one host
    /// at a time, each healthy before the next), and not at all once another host's turn failed. Files the service
    /// reads are part of the changes, so they reach the host only in its turn.
    /// </summary>
    public bool Rolling { get; init; }

    /// <summary>Where this target's turn comes in the roll: lower first (e.g. an etcd leader last); ties in cluster-file order.</summary>
    public int RollOrder { get; init; }

    /// <summary>Runs after the changes (or when there are none) in a real run; returns report lines. Throws <see cref="PhaseFailedException"/> when the target is not as it must be.</summary>
    internal Func<ApplyContext, CancellationToken, Task<IReadOnlyList<string>>>? Verify { get; init; }

    /// <summary>
    /// <see cref="Verify"/> only reads (a health check, a node's readiness): when the plan changes nothing, it may run as soon as
    /// the plan is made ahead of its phase's turn (<see cref="PlansAhead"/>), its lines then reported in the turn.
    /// </summary>
    public bool VerifyReadsOnly { get; init; }

    /// <summary>What <see cref="Verify"/> would check, for a dry run.</summary>
    public string? VerifyDescription { get; init; }

    public static TargetPlan Nothing(params string[] notes) => new() { Notes = notes };

    public static TargetPlan Refuse(string reason, params string[] notes) => new() { Refusal = reason, Notes = notes };

    public static TargetPlan Of(IEnumerable<Change> changes, params string[] notes) => new() { Changes = [.. changes], Notes = notes };
}
