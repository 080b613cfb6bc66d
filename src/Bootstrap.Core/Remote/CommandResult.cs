namespace Bootstrap.Core.Remote;

/// <summary>What a finished command returned. Output is already redacted.</summary>
public sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;
}
