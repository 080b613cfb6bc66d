using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Reset;

/// <summary>
/// <c>reset/stop</c>: stop and disable every service Bootstrap runs on the host, the ones that depend on others first;
/// before containerd stops, the containers the kubelet left in its k8s.io namespace are killed and removed (Debian's
/// containerd unit keeps containers running when it stops).
/// </summary>
internal sealed class StopServicesPhase() : HostPhase("stop", "Stop and disable every service Bootstrap runs on the host, and remove the kubelet's containers and pod cgroups")
{
    // Fixed script: the namespace is an argument, never part of it.
    private const string RemoveContainers =
        "for id in $(ctr -n \"$1\" containers ls -q); do ctr -n \"$1\" tasks kill -s SIGKILL \"$id\" 2>/dev/null; ctr -n \"$1\" tasks delete -f \"$id\" 2>/dev/null; ctr -n \"$1\" containers rm \"$id\"; done";

    private const string KubernetesNamespace = "k8s.io";

    private const string PodSlices = "kubepods";

    // Stopping the parent slice stops every pod slice and container scope under it; a scope whose processes were killed
    // stays loaded as failed until reset-failed lets systemd collect it. Repeated until none is active any more (else it
    // fails listing them); then the transient unit files runc made for them are removed and systemd reloaded, so that
    // the stopped slices are unloaded and no unit file of them is left.
    private const string StopPodUnits =
        "for i in 1 2 3 4 5 6 7 8 9 10; do "
        + "systemctl stop kubepods.slice 2>/dev/null; systemctl reset-failed 'kubepods*' 'cri-containerd-*' 2>/dev/null; "
        + "if ! systemctl list-units --all --no-legend --plain 'kubepods*' 'cri-containerd-*' | grep -v ' inactive dead ' | grep -q .; then "
        + "rm -f /run/systemd/transient/kubepods*.slice /run/systemd/transient/cri-containerd-*.scope; systemctl daemon-reload; exit 0; fi; "
        + "sleep 1; done; "
        + "echo 'pod units of the kubelet are still active:' >&2; systemctl list-units --all --no-legend --plain 'kubepods*' 'cri-containerd-*' >&2; exit 1";

    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.Hosts;

    protected override async Task<TargetPlan> PlanAsync(HostPlanning host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        var changes = new List<Change>();
        foreach (var service in HostFootprint.Services(host.Config, host.Host))
        {
            var status = await host.View.UnitAsync(service.Unit, cancellationToken).ConfigureAwait(false);
            if (service.Component == "containerd" && status.Active)
            {
                var containers = await host.View.QueryAsync(new RemoteCommand(["ctr", "-n", KubernetesNamespace, "containers", "ls", "-q"], sudo: true), cancellationToken).ConfigureAwait(false);
                var count = containers.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
                if (containers.Succeeded && count > 0)
                {
                    changes.Add(Command(host.Host.Name, ChangeKind.HostCleanup, $"{count} containers of containerd's {KubernetesNamespace} namespace", ["sh", "-c", RemoveContainers, "remove", KubernetesNamespace]));
                }
            }

            changes.AddRange(ServiceControl.PlanStop(host.Host.Name, service, status));
        }

        // The kubelet's QoS and pod cgroups are transient systemd slices that outlive it; stopping the parent removes them all.
        var units = await host.View.QueryAsync(new RemoteCommand(["systemctl", "list-units", "--all", "--no-legend", "--plain", PodSlices + "*", "cri-containerd-*"]), cancellationToken).ConfigureAwait(false);
        var files = await host.View.QueryAsync(new RemoteCommand(["systemctl", "list-unit-files", "--no-legend", PodSlices + "*", "cri-containerd-*"]), cancellationToken).ConfigureAwait(false);
        if (units.Succeeded && PodUnitsLeft(units.Stdout, files.Succeeded ? files.Stdout : string.Empty))
        {
            changes.Add(Command(host.Host.Name, ChangeKind.HostCleanup, $"the kubelet's pod cgroups ({PodSlices}.slice, the slices and container scopes under it)", ["sh", "-c", StopPodUnits]));
        }

        return TargetPlan.Of(changes);
    }

    /// <summary>
    /// Whether the kubelet's pod units need the cleanup: one is not inactive (`systemctl list-units --all --plain`:
    /// UNIT LOAD ACTIVE SUB …), or one still has a unit file (`systemctl list-unit-files`: runc's transient files).
    /// Stopped slices systemd keeps in memory without a file (a parent slice named by its child) need nothing.
    /// </summary>
    internal static bool PodUnitsLeft(string listUnits, string listUnitFiles)
    {
        ArgumentNullException.ThrowIfNull(listUnits);
        ArgumentNullException.ThrowIfNull(listUnitFiles);
        return listUnits.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Any(c => c.Length >= 4 && c[2] != "inactive")
            || listUnitFiles.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length > 0;
    }

    /// <summary>A change whose apply is one root command on the host.</summary>
    internal static Change Command(string host, ChangeKind kind, string target, string[] argv) => new()
    {
        Host = host,
        Kind = kind,
        Target = target,
        Apply = async (apply, ct) =>
        {
            await apply.Host(host).RunCheckedAsync(new RemoteCommand(argv, sudo: true), apply.Redactor, ct).ConfigureAwait(false);
            return [];
        },
    };
}
