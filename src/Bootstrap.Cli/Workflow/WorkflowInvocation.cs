using Bootstrap.Core.Config;
using Bootstrap.Core.Phases;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Cli.Workflow;

/// <summary>What a workflow command was asked to do, as parsed from its flags.</summary>
internal sealed record WorkflowInvocation
{
    public required string File { get; init; }

    public required WorkflowSelection Selection { get; init; }

    public required InitOptions Options { get; init; }

    /// <summary>The phase tree the command runs (<c>init</c>'s unless told otherwise).</summary>
    public Func<InitOptions, PhaseTree> Workflow { get; init; } = InitWorkflow.Create;

    /// <summary>
    /// For a command with <c>--host</c>: the hosts it may name, which are also the default when none is named
    /// (<c>join</c>: the nodes). Null for commands that always run on every target host.
    /// </summary>
    public Func<ClusterConfig, IReadOnlyList<HostSpec>>? HostChoices { get; init; }

    public bool Json { get; init; }

    public string? LogFile { get; init; }

    public bool Verbose { get; init; }

    /// <summary><c>bootstrap plan</c>: every phase reports what it would change and changes nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary><c>--accept-new</c>: trust and record host keys not yet known (a changed key is still refused).</summary>
    public bool AcceptNewHostKeys { get; init; }
}
