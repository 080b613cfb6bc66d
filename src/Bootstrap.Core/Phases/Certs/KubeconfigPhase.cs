using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Certs;

/// <summary><c>kubeconfig</c>: admin.conf, controller-manager.conf and scheduler.conf on the control-plane hosts, from the cluster state.</summary>
internal sealed class KubeconfigPhase : ILeafPhase
{
    public string Name => "kubeconfig";

    public string Description => "Install admin.conf, controller-manager.conf and scheduler.conf on the control-plane hosts";

    public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return PhaseTarget.Of(config.ControlPlaneHosts);
    }

    public async Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(target);
        var host = target.RequiredHost;
        var view = context.View(host.Name);
        var material = await context.Material.GetAsync(context, cancellationToken).ConfigureAwait(false);
        var readers = await RunningReaders.OfAsync(view, context.Config, host, cancellationToken).ConfigureAwait(false);
        var (changes, notes) = await FileConvergence.PlanAsync(view, InstallFiles.Kubeconfigs(material, host), cancellationToken, readers).ConfigureAwait(false);
        return new TargetPlan { Changes = changes, Notes = notes };
    }
}
