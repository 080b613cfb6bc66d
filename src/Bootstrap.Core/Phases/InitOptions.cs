using Bootstrap.Core.Phases.Preflight;

namespace Bootstrap.Core.Phases;

/// <summary>The flags of <c>bootstrap init</c> that shape its phases.</summary>
public sealed record InitOptions
{
    public IgnoredPreflightErrors IgnorePreflightErrors { get; init; } = IgnoredPreflightErrors.None;

    public TimeSpan MaxClockSkew { get; init; } = PreflightPhase.DefaultMaxClockSkew;
}
