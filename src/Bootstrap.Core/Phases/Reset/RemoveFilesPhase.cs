using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Reset;

/// <summary>
/// <c>reset/remove-files</c>: take away what Bootstrap set up on the host (<see cref="HostFootprint"/>): kube-proxy's
/// iptables/IPVS rules, the kubelet's mounts, the pods' bridge, then every file and directory it wrote (configuration,
/// certificates, kubeconfigs, the etcd data, units, binaries). OS packages stay.
/// </summary>
internal sealed class RemoveFilesPhase() : HostPhase("remove-files", "Remove kube-proxy's rules, the kubelet's mounts, the pod bridge and every file Bootstrap wrote on the host")
{
    private const string KubeletMounts = "awk -v root=\"$1/\" 'index($2, root) == 1 {print $2}' /proc/mounts | sort -r";

    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.Hosts;

    protected override async Task<TargetPlan> PlanAsync(HostPlanning host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        var (view, name) = (host.View, host.Host.Name);
        var paths = HostFootprint.Paths(host.Config, host.Host);
        var stat = await view.QueryAsync(new RemoteCommand(["stat", "-c", "%n", "--", .. paths], sudo: true), cancellationToken).ConfigureAwait(false);
        var present = stat.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var changes = new List<Change>();
        var kubeProxy = $"{KubeadmLayout.BinDir}/kube-proxy";
        if (present.Contains(kubeProxy))
        {
            changes.Add(StopServicesPhase.Command(name, ChangeKind.HostCleanup, "kube-proxy's iptables and IPVS rules", [kubeProxy, "--cleanup"]));
        }

        var mounts = await view.QueryAsync(new RemoteCommand(["sh", "-c", KubeletMounts, "mounts", NodeLayout.KubeletDir], sudo: true), cancellationToken).ConfigureAwait(false);
        foreach (var mount in mounts.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            changes.Add(StopServicesPhase.Command(name, ChangeKind.HostCleanup, "mount " + mount, ["umount", "--", mount]));
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
