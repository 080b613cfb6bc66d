using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Reset;

/// <summary>
/// <c>reset/remove-files</c>: take away what Bootstrap set up on the host (<see cref="HostFootprint"/>): the kubelet's,
/// kube-proxy's and the pod network's iptables rules (and IPVS services), the pod network's routes, the kubelet's mounts, the pods' bridge, then every file and directory it wrote (configuration,
/// certificates, kubeconfigs, the etcd data, units, binaries). OS packages stay.
/// </summary>
internal sealed class RemoveFilesPhase() : HostPhase("remove-files", "Remove the Kubernetes iptables rules, the kubelet's mounts, the pod bridge and every file Bootstrap wrote on the host")
{
    private const string KubeletMounts = "awk -v root=\"$1/\" 'index($2, root) == 1 {print $2}' /proc/mounts | sort -r";

    // The kubelet's and kube-proxy's chains and rules (KUBE-…), the bridge plugin's (CNI-…) and the pod network unit's masquerade
    // rule (by its comment), IPv4 and IPv6; other rules stay. kube-proxy --cleanup would need ipset even in iptables mode, and
    // leaves the kubelet's chains.
    private const string Patterns = "-e KUBE- -e CNI- -e '" + PodNetworkCommands.MasqueradeComment + "'";

    private const string CountRules = "for t in iptables ip6tables; do command -v \"$t-save\" >/dev/null && \"$t-save\"; done | grep -c " + Patterns + " || true";

    private const string RemoveRules =
        "for t in iptables ip6tables; do command -v \"$t-save\" >/dev/null || continue; \"$t-save\" | grep -v " + Patterns + " | \"$t-restore\" || exit 1; done; "
        + "if command -v ipvsadm >/dev/null; then ipvsadm --clear; fi; if ip link show kube-ipvs0 >/dev/null 2>&1; then ip link delete kube-ipvs0; fi";

    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.Hosts;

    protected override async Task<TargetPlan> PlanAsync(HostPlanning host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        var (view, name) = (host.View, host.Host.Name);
        var paths = HostFootprint.Paths(host.Config, host.Host);
        // The manifest of installed files goes with the rest: the files this run hashed are not recorded there afterwards.
        host.Context.InstalledFiles.Forget(name);
        var stat = await view.QueryAsync(new RemoteCommand(["stat", "-c", "%n", "--", .. paths], sudo: true), cancellationToken).ConfigureAwait(false);
        var present = stat.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var changes = new List<Change>();
        var rules = await view.QueryAsync(new RemoteCommand(["sh", "-c", CountRules], sudo: true), cancellationToken).ConfigureAwait(false);
        if (int.TryParse(rules.Stdout.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count) && count > 0)
        {
            changes.Add(StopServicesPhase.Command(name, ChangeKind.HostCleanup, $"{count} iptables lines of the kubelet, kube-proxy and the pod network (KUBE-…, CNI-…)", ["sh", "-c", RemoveRules]));
        }

        var mounts = await view.QueryAsync(new RemoteCommand(["sh", "-c", KubeletMounts, "mounts", NodeLayout.KubeletDir], sudo: true), cancellationToken).ConfigureAwait(false);
        foreach (var mount in mounts.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            changes.Add(StopServicesPhase.Command(name, ChangeKind.HostCleanup, "mount " + mount, ["umount", "--", mount]));
        }

        // The pod network's routes to other nodes' pods (its own routing protocol number): they would outlive the unit until a reboot.
        var routes = await view.QueryAsync(PodNetworkCommands.ListRoutes(host.Config), cancellationToken).ConfigureAwait(false);
        if (routes.Succeeded)
        {
            changes.AddRange(PodNetworkCommands.ParseRoutes(routes.Stdout).Keys.Select(destination =>
                StopServicesPhase.Command(name, ChangeKind.RouteDelete, destination.ToString(), [.. PodNetworkCommands.RouteDelete(destination)])));
        }

        if ((await view.QueryAsync(new RemoteCommand(["ip", "link", "show", HostFootprint.CniBridge]), cancellationToken).ConfigureAwait(false)).Succeeded)
        {
            changes.Add(StopServicesPhase.Command(name, ChangeKind.HostCleanup, "network interface " + HostFootprint.CniBridge, ["ip", "link", "delete", HostFootprint.CniBridge]));
        }

        changes.AddRange(paths.Where(present.Contains).Select(path => StopServicesPhase.Command(name, ChangeKind.FileRemove, path, ["rm", "-rf", "--", path])));
        if (paths.Any(p => present.Contains(p) && p.StartsWith(InstallFiles.SystemdDir + "/", StringComparison.Ordinal)))
        {
            changes.Add(StopServicesPhase.Command(name, ChangeKind.DaemonReload, "systemd's unit files", ["systemctl", "daemon-reload"]) with { Reason = "unit files removed" });
        }

        return TargetPlan.Of(changes);
    }
}
