namespace Bootstrap.Core.Workflow;

/// <summary>One phase on one host: how it ended, how long it took, what it did or why it failed (redacted).</summary>
public sealed record HostPhaseOutcome
{
    public required string Host { get; init; }

    public required HostPhaseStatus Status { get; init; }

    public required TimeSpan Duration { get; init; }

    public IReadOnlyList<string> Details { get; init; } = [];

    /// <summary>The failure or error, starting with the host's name; null when the phase succeeded.</summary>
    public string? Error { get; init; }

    public bool Changed => Status == HostPhaseStatus.Changed;

    public bool Succeeded => Status is HostPhaseStatus.Changed or HostPhaseStatus.Unchanged;
}
