using System.CommandLine;
using Bootstrap.Cli.Workflow;
using Bootstrap.Core.Phases.Reset;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Cli.Commands;

/// <summary>
/// <c>bootstrap reset -f cluster.yaml --host NAME[,…]</c> (or <c>--all</c>): kubeadm reset's scope, from the workstation —
/// drain and delete the Node, stop and disable Bootstrap's services, remove what it wrote; OS packages stay. A host that
/// cannot be reached still has its cluster side done. See docs/reset.md.
/// </summary>
internal static class ResetCommand
{
    public static Command Create(ClusterFileInput files, IHostConnector? connector = null)
    {
        var flags = new WorkflowFlags(files);
        var all = new Option<bool>("--all") { Description = "Reset every host of the cluster file: the whole cluster is torn down (asks for confirmation unless --yes)." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation (--all)." };
        var skipDrain = new Option<bool>("--skip-drain") { Description = "Delete the Node without evicting its pods first." };
        var force = new Option<bool>("--force") { Description = "Also evict pods no controller manages (they are lost)." };
        var command = new Command(
            "reset",
            "Take hosts out of the cluster and undo what Bootstrap did on them: cordon and drain each node (PodDisruptionBudgets respected; "
            + "DaemonSet pods stay; pods no controller manages are refused unless --force), delete its Node, stop and disable every service "
            + "Bootstrap runs there, remove kube-proxy's rules, the kubelet's mounts, the pod bridge and every file Bootstrap wrote (/etc/kubernetes, "
            + "/var/lib/kubelet, the etcd data, units, binaries). OS packages stay. A host that cannot be reached still has its cluster side done; the "
            + "command then exits 1 naming it. Afterwards remove the host from the cluster file (and run init, which updates the load balancer and "
            + "the API servers' etcd list), or run join/init to bring it back.")
        {
            all, yes, skipDrain, force,
        };
        flags.AddTo(command, hosts: true, preflight: false);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var everything = parse.GetValue(all);
            var named = parse.GetResult(flags.Host) is not null;
            if (everything == named)
            {
                await error.WriteLineAsync("name the hosts to reset with --host NAME[,…], or --all for every host of the cluster file (not both)").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            if (everything && !parse.GetValue(yes) && !await ConfirmedAsync(parse, files, flags, error).ConfigureAwait(false))
            {
                return ExitCodes.BadInput;
            }

            var options = new ResetOptions { SkipDrain = parse.GetValue(skipDrain), Force = parse.GetValue(force), All = everything };
            WorkflowInvocation invocation;
            try
            {
                invocation = flags.Read(parse, WorkflowSelection.All, workflow: new WorkflowCommand(_ => ResetWorkflow.Create(options), c => c.Hosts)) with
                {
                    ToleratesUnreachableHosts = true,
                };
            }
            catch (ArgumentException e)
            {
                await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            return await new WorkflowCommandRunner(connector, files).RunAsync(invocation, parse.InvocationConfiguration.Output, error, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>--all without --yes: the cluster's name typed back on a terminal; refused when standard input is not one.</summary>
    private static async Task<bool> ConfirmedAsync(ParseResult parse, ClusterFileInput files, WorkflowFlags flags, TextWriter error)
    {
        if (Console.IsInputRedirected || parse.GetValue(flags.File) == ClusterFileInput.StandardInput)
        {
            await error.WriteLineAsync("reset --all tears the whole cluster down: confirm with --yes (standard input is not a terminal to ask on)").ConfigureAwait(false);
            return false;
        }

        if (files.Load(parse.GetValue(flags.File)!, error) is not { } config)
        {
            return false;
        }

        await error.WriteAsync($"This removes cluster {config.Name} from all {config.Hosts.Count} hosts, with its etcd data. Type the cluster name to go on: ").ConfigureAwait(false);
        var answer = await Console.In.ReadLineAsync().ConfigureAwait(false);
        if (answer?.Trim() == config.Name)
        {
            return true;
        }

        await error.WriteLineAsync("not confirmed; nothing was changed").ConfigureAwait(false);
        return false;
    }
}
