using Bootstrap.Core.Phases;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Cli.Workflow;

/// <summary>What a workflow command was asked to do, as parsed from its flags.</summary>
internal sealed record WorkflowInvocation
{
    public required string File { get; init; }

    public required WorkflowSelection Selection { get; init; }

    public required InitOptions Options { get; init; }

    public bool Json { get; init; }

    public string? LogFile { get; init; }

    public bool Verbose { get; init; }

    /// <summary><c>bootstrap plan</c>: every phase reports what it would change and changes nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary><c>--accept-new</c>: trust and record host keys not yet known (a changed key is still refused).</summary>
    public bool AcceptNewHostKeys { get; init; }
}
