using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.ControlPlane;

/// <summary><c>control-plane/scheduler</c>: kube-scheduler on every control-plane host.</summary>
internal sealed class SchedulerPhase() : ServicePhase("scheduler", "Run kube-scheduler")
{
    private readonly InstallFiles _files = new(new Rendering.TemplateRenderer());

    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.ControlPlaneHosts;

    protected override IReadOnlyList<ServiceSpec> Services(InstallMaterial material, HostSpec host) => [ServiceCatalog.Scheduler()];

    protected override Task<IReadOnlyList<DesiredFile>> FilesAsync(HostPlanning host, InstallMaterial material, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<DesiredFile>>([_files.SchedulerUnit(material, host.Host)]);
}
