namespace Bootstrap.Core.Workflow;

/// <summary>What a phase did on one host: whether it changed anything, what (one line each), or why it failed.</summary>
public sealed record PhaseResult
{
    public required bool Changed { get; init; }

    public IReadOnlyList<string> Details { get; init; } = [];

    /// <summary>Set when the phase failed on this host for a reason it understood (a failed check, a refused change).</summary>
    public string? Failure { get; init; }

    public static PhaseResult Unchanged(params string[] details) => new() { Changed = false, Details = details };

    public static PhaseResult ChangedWith(params string[] details) => new() { Changed = true, Details = details };

    public static PhaseResult Failed(string failure, IReadOnlyList<string> details) =>
        new() { Changed = false, Failure = failure, Details = details };
}
