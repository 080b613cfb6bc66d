namespace Bootstrap.Core.Phases.Preflight;

/// <summary>One preflight check on one host, named the way kubeadm names its checks (<c>NumCPU</c>, <c>Port-6443</c>).</summary>
public sealed record CheckResult(string Name, CheckSeverity Severity, string Message)
{
    /// <summary>An error downgraded to a warning by <c>--ignore-preflight-errors</c>.</summary>
    public bool Ignored { get; init; }

    public static CheckResult Ok(string name, string message) => new(name, CheckSeverity.Ok, message);

    public static CheckResult Warning(string name, string message) => new(name, CheckSeverity.Warning, message);

    public static CheckResult Error(string name, string message) => new(name, CheckSeverity.Error, message);

    /// <summary><c>[ERROR Port-6443]: port 6443 is in use</c>, kubeadm's layout.</summary>
    public override string ToString() => Severity switch
    {
        CheckSeverity.Ok => $"[OK {Name}]: {Message}",
        CheckSeverity.Warning when Ignored => $"[WARNING {Name}]: {Message} (error ignored by --ignore-preflight-errors)",
        CheckSeverity.Warning => $"[WARNING {Name}]: {Message}",
        _ => $"[ERROR {Name}]: {Message}",
    };
}
