using System.CommandLine;
using System.Text;
using Bootstrap.Cli.Workflow;
using Bootstrap.Core.Phases;
using Bootstrap.Core.Phases.Preflight;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Cli.Commands;

/// <summary>
/// <c>bootstrap init -f cluster.yaml [--skip-phases …]</c> runs every phase of the install;
/// <c>bootstrap init phase &lt;path&gt;</c> runs one, kubeadm-style. The subcommands mirror
/// <see cref="InitWorkflow"/>'s tree.
/// </summary>
internal static class InitCommand
{
    public static Command Create(ClusterFileInput files, IHostConnector? connector = null)
    {
        var tree = InitWorkflow.Create(new PreflightOptions());
        var init = new Command("init", "Install the cluster: etcd, the control plane and the load balancer, phase by phase. Safe to run again: what is in place is left alone. "
            + "A re-run never replaces the cluster's identity (CAs, service-account and encryption keys, VRRP password): a host holding another identity "
            + "than the cluster state stops the run before anything is written (see `bootstrap state pull`). Changes to a running service reach one host "
            + "at a time, each healthy before the next, and the first failure stops the roll. See docs/state.md. Phases:\n" + Tree(tree));
        var flags = new WorkflowFlags(files);
        flags.AddTo(init, skipPhases: true, verify: true);
        flags.SetAction(init, WorkflowSelection.All, connector);
        var phase = new Command("phase", "Run one phase of init (and the phases under it).");
        foreach (var top in tree.Phases)
        {
            phase.Subcommands.Add(PhaseCommand(files, top, top.Name, connector));
        }

        init.Subcommands.Add(phase);
        return init;
    }

    private static Command PhaseCommand(ClusterFileInput files, IPhase phase, string path, IHostConnector? connector)
    {
        var command = new Command(phase.Name, phase.Description);
        foreach (var child in phase.Children)
        {
            command.Subcommands.Add(PhaseCommand(files, child, path + "/" + child.Name, connector));
        }

        var flags = new WorkflowFlags(files);
        // Only the preflight phase has preflight errors to ignore.
        flags.AddTo(command, preflight: path == "preflight", verify: path != "preflight");
        flags.SetAction(command, new WorkflowSelection { Only = path }, connector);
        return command;
    }

    private static string Tree(PhaseTree tree)
    {
        var text = new StringBuilder();
        foreach (var (path, phase) in tree.Walk())
        {
            var depth = path.Count(c => c == '/');
            text.Append(' ', 2 + (depth * 2)).Append(phase.Name.PadRight(Math.Max(1, 24 - (depth * 2)))).Append(phase.Description).Append('\n');
        }

        return text.ToString().TrimEnd('\n');
    }
}
