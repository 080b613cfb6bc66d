using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Artifacts;

/// <summary>
/// <c>artifacts</c>: the etcd and Kubernetes binaries each host runs, verified by sha256 on the host. A binary a
/// running service executes is left to that service's phase (it changes in the host's turn of the roll).
/// </summary>
internal sealed class ArtifactsPhase : ILeafPhase
{
    public string Name => "artifacts";

    public string Description => "Install the etcd and Kubernetes binaries each host needs, verified by sha256 on the host";

    public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return PhaseTarget.Of(config.Hosts.Where(h => InstallFiles.BinariesFor(config, h).Count > 0));
    }

    public async Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(target);
        var host = target.RequiredHost;
        var view = context.View(host.Name);
        var material = await context.Material.GetAsync(context, cancellationToken).ConfigureAwait(false);
        var readers = await RunningReaders.OfAsync(view, context.Config, host, cancellationToken).ConfigureAwait(false);
        var (changes, notes) = await FileConvergence.PlanAsync(view, InstallFiles.Binaries(material, host), cancellationToken, readers).ConfigureAwait(false);
        return new TargetPlan { Changes = changes, Notes = notes };
    }
}
