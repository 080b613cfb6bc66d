using System.CommandLine;
using Bootstrap.Cli.Workflow;
using Bootstrap.Core.Phases.Upgrade;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Cli.Commands;

/// <summary>
/// <c>bootstrap upgrade plan|apply -f cluster.yaml [--allow-downgrade]</c>: move an installed cluster to the versions the
/// cluster file names (<c>kubernetesVersion</c>, <c>spec.etcd.version</c>, the artifacts), inside the version-skew policy,
/// one host at a time. <c>plan</c> is the same run without changes. See docs/upgrade.md.
/// </summary>
internal static class UpgradeCommand
{
    public static Command Create(ClusterFileInput files, IHostConnector? connector = null)
    {
        var upgrade = new Command(
            "upgrade",
            "Move an installed cluster to the versions the cluster file names (kubernetesVersion, spec.etcd.version and the artifacts they come from). "
            + "Edit the file, run `upgrade plan`, then `upgrade apply`. See docs/upgrade.md.");
        upgrade.Subcommands.Add(Subcommand(files, connector, "plan", dryRun: true,
            "Show what `upgrade apply` would do: every binary's version on every host against the cluster file's, the version-skew checks with every "
            + "reason a move is refused, then per host the files, units and rolls the upgrade would change. Read-only. Exit 0 when the upgrade is allowed, 1 when refused."));
        upgrade.Subcommands.Add(Subcommand(files, connector, "apply", dryRun: false,
            "Upgrade (or, with --allow-downgrade, roll back within a minor version): refuse anything the version-skew policy forbids before a host changes, "
            + "stage the new binaries on every host, then roll them one host at a time, each healthy before the next: etcd members, API servers, "
            + "controller managers, schedulers, then the kubelets (control planes first; each node drained, then uncordoned once Ready with the new version). "
            + "The first failure stops the roll with the rest untouched; fix it and run apply again, or set the old versions back and run apply --allow-downgrade."));
        return upgrade;
    }

    private static Command Subcommand(ClusterFileInput files, IHostConnector? connector, string name, bool dryRun, string description)
    {
        var allowDowngrade = new Option<bool>("--allow-downgrade")
        {
            Description = "Allow binaries to go back to an older patch release of the same minor version (a rollback); a minor version back is always refused.",
        };
        var command = new Command(name, description) { allowDowngrade };
        var flags = new WorkflowFlags(files);
        flags.AddTo(command, preflight: false, verify: true);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var downgrade = parse.GetValue(allowDowngrade);
            var invocation = flags.Read(parse, WorkflowSelection.All, dryRun, new WorkflowCommand(_ => UpgradeWorkflow.Create(downgrade))) with
            {
                RequiresStateFor = "bootstrap upgrade",
                ApplyCommand = "bootstrap upgrade apply" + (downgrade ? " --allow-downgrade" : string.Empty),
            };
            return await new WorkflowCommandRunner(connector, files)
                .RunAsync(invocation, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
