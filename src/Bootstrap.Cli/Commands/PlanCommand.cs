using System.CommandLine;
using Bootstrap.Cli.Workflow;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Cli.Commands;

/// <summary>
/// <c>bootstrap plan -f cluster.yaml</c>: every phase of <c>init</c> after preflight in dry-run mode. It
/// connects, reads each host's files (by sha256) and units, and prints what <c>init</c> would change:
/// files to create or replace, units to start or restart, certificates to issue. Nothing is written,
/// neither on the hosts nor in the cluster state.
/// </summary>
internal static class PlanCommand
{
    public static Command Create(ClusterFileInput files, IHostConnector? connector = null)
    {
        var command = new Command("plan", "Show, per host, what `bootstrap init` would change (files by sha256, units to start or restart, certificates to issue). Read-only; skips preflight.");
        var flags = new WorkflowFlags(files);
        // Plan never runs preflight, so it has no --ignore-preflight-errors.
        flags.AddTo(command, skipPhases: true, preflight: false, verify: true);
        flags.SetAction(command, new WorkflowSelection { Skip = ["preflight"] }, connector, dryRun: true);
        return command;
    }
}
