namespace Bootstrap.Core.Phases.Preflight;

public enum CheckSeverity
{
    Ok,
    Warning,
    Error,
}
