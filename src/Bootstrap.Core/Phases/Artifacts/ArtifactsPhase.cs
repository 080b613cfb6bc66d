using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Artifacts;

/// <summary>
/// <c>artifacts</c>: the etcd and Kubernetes binaries each host runs, verified by sha256 on the host. A binary a
/// running service executes is left to that service's phase (it changes in the host's turn of the roll).
/// </summary>
internal sealed class ArtifactsPhase() : HostPhase("artifacts", "Install the etcd and Kubernetes binaries each host needs, verified by sha256 on the host")
{
    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.Hosts.Where(h => InstallFiles.BinariesFor(config, h).Count > 0);

    protected override async Task<TargetPlan> PlanAsync(HostPlanning host, CancellationToken cancellationToken) =>
        await host.SharedFilesAsync(InstallFiles.Binaries(await host.MaterialAsync(cancellationToken).ConfigureAwait(false), host.Host), cancellationToken).ConfigureAwait(false);
}
