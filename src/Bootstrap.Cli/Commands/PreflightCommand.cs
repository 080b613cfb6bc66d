using System.CommandLine;
using Bootstrap.Cli.Workflow;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Cli.Commands;

/// <summary>
/// <c>bootstrap preflight -f cluster.yaml [--ignore-preflight-errors=…]</c>: the read-only checks of
/// <c>init</c>'s preflight phase on every host. Same as <c>bootstrap init phase preflight</c>.
/// </summary>
internal static class PreflightCommand
{
    public static Command Create(ClusterFileInput files, IHostConnector? connector = null)
    {
        var command = new Command("preflight", "Check every host of the cluster file for what the install needs (read-only). Exit code 3 when a check fails.");
        var flags = new WorkflowFlags(files);
        flags.AddTo(command);
        flags.SetAction(command, new WorkflowSelection { Only = "preflight" }, connector, locksState: false);
        return command;
    }
}
