namespace Bootstrap.Core.Phases.Preflight;

/// <summary>The flags that shape the preflight phase of <c>init</c>, <c>join</c> and <c>preflight</c>.</summary>
public sealed record PreflightOptions
{
    public IgnoredPreflightErrors IgnorePreflightErrors { get; init; } = IgnoredPreflightErrors.None;

    public TimeSpan MaxClockSkew { get; init; } = PreflightPhase.DefaultMaxClockSkew;
}
