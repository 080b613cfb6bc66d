using Bootstrap.Core.Config;
using Bootstrap.Core.Phases;
using Bootstrap.Core.Phases.Preflight;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Cli.Workflow;

/// <summary>What a workflow command was asked to do, as parsed from its flags.</summary>
internal sealed record WorkflowInvocation
{
    public required string File { get; init; }

    public required WorkflowSelection Selection { get; init; }

    public required PreflightOptions Options { get; init; }

    /// <summary>The phase tree the command runs (<c>init</c>'s unless told otherwise).</summary>
    public Func<PreflightOptions, PhaseTree> Workflow { get; init; } = InitWorkflow.Create;

    /// <summary>
    /// For a command with <c>--host</c>: the hosts it may name, which are also the default when none is named
    /// (<c>join</c>: the nodes). Null for commands that always run on every target host.
    /// </summary>
    public Func<ClusterConfig, IReadOnlyList<HostSpec>>? HostChoices { get; init; }

    /// <summary>The command's own checks of its arguments against the cluster file (bad input when any fails).</summary>
    public Func<ClusterConfig, IReadOnlyList<string>>? Check { get; init; }

    public bool Json { get; init; }

    public string? LogFile { get; init; }

    public bool Verbose { get; init; }

    /// <summary><c>bootstrap plan</c>: every phase reports what it would change and changes nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>The command that makes what a dry run lists (named on the plan's last line).</summary>
    public string ApplyCommand { get; init; } = "bootstrap init";

    /// <summary>
    /// Whether the run holds the cluster state's lock for its whole length (everything but preflight, which reads
    /// hosts only); a dry run takes it only when the state exists, and never creates the directory.
    /// </summary>
    public bool LocksState { get; init; } = true;

    /// <summary>
    /// The command works on an installed cluster (<c>upgrade</c>): without the cluster state it stops before connecting,
    /// instead of creating a new identity.
    /// </summary>
    public string? RequiresStateFor { get; init; }

    /// <summary>Go on without the hosts that cannot be reached (their phases fail naming them); <c>reset</c> does, the others need every host.</summary>
    public bool ToleratesUnreachableHosts { get; init; }

    /// <summary>The command line as the user typed it (for the state lock's holder line); never holds a secret (secrets come from files, the environment or a prompt).</summary>
    public string CommandLine { get; init; } = "bootstrap";

    /// <summary><c>--verify</c>: every file compared on the hosts is hashed in full, whatever their manifests of installed files say.</summary>
    public bool Verify { get; init; }

    /// <summary><c>--accept-new</c>: trust and record host keys not yet known (a changed key is still refused).</summary>
    public bool AcceptNewHostKeys { get; init; }
}
