using System.CommandLine;
using Bootstrap.Cli.Workflow;
using Bootstrap.Core.Phases;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Cli.Commands;

/// <summary>
/// <c>bootstrap join -f cluster.yaml [--host NAME …]</c>: the node phases of <c>init</c> (preflight,
/// artifacts, kubelet-start, mark-control-plane, kubelet-serving-csr, kube-proxy) on the named node hosts,
/// or on every node of the file. A node that already joined is left as it is.
/// </summary>
internal static class JoinCommand
{
    public static Command Create(ClusterFileInput files, IHostConnector? connector = null)
    {
        var command = new Command(
            "join",
            "Join node hosts to a cluster that `bootstrap init` made: preflight, binaries, containerd and the kubelet (TLS bootstrap with a new short-lived token), kube-proxy; only on the --host names (default: every node of the file). Safe to run again: a joined node is left as it is.");
        var flags = new WorkflowFlags(files);
        flags.AddTo(command, skipPhases: true, hosts: true, verify: true);
        flags.SetAction(command, WorkflowSelection.All, connector, workflow: new WorkflowCommand(JoinWorkflow.Create, JoinWorkflow.Hosts));
        return command;
    }
}
