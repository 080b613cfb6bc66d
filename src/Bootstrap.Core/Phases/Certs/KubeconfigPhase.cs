using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Certs;

/// <summary><c>kubeconfig</c>: admin.conf, controller-manager.conf and scheduler.conf on the control-plane hosts, from the cluster state.</summary>
internal sealed class KubeconfigPhase() : HostPhase("kubeconfig", "Install admin.conf, controller-manager.conf and scheduler.conf on the control-plane hosts")
{
    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.ControlPlaneHosts;

    protected override async Task<TargetPlan> PlanAsync(HostPlanning host, CancellationToken cancellationToken) =>
        await host.SharedFilesAsync(InstallFiles.Kubeconfigs(await host.MaterialAsync(cancellationToken).ConfigureAwait(false), host.Host), cancellationToken).ConfigureAwait(false);
}
