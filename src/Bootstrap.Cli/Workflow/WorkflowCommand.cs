using Bootstrap.Core.Config;
using Bootstrap.Core.Phases.Preflight;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Cli.Workflow;

/// <summary>
/// A command that runs a phase tree other than <c>init</c>'s: the tree, for a command with <c>--host</c> the hosts
/// it may name (also its default when none is named), and what else makes its input bad against the cluster file
/// (<see cref="Check"/>: each problem a line; any means exit 2 before a host is contacted).
/// </summary>
internal sealed record WorkflowCommand(
    Func<PreflightOptions, PhaseTree> Tree, Func<ClusterConfig, IReadOnlyList<HostSpec>>? HostChoices = null, Func<ClusterConfig, IReadOnlyList<string>>? Check = null);
