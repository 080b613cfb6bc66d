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
}
