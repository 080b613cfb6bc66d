namespace Bootstrap.Cli;

/// <summary>
/// The process exit codes of every bootstrap command; scripts may rely on them.
/// </summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The command failed while running (a host, a component, the network).</summary>
    public const int Failure = 1;

    /// <summary>The input is wrong (e.g. an invalid cluster file). Nothing was changed.</summary>
    public const int BadInput = 2;

    /// <summary>Preflight checks failed on at least one host. Nothing was changed.</summary>
    public const int PreflightFailed = 3;

    /// <summary>Cancelled by the user (Ctrl-C), as shells report SIGINT (128 + 2).</summary>
    public const int Cancelled = 130;
}
