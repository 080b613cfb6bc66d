using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.ControlPlane;

/// <summary><c>control-plane/controller-manager</c>: kube-controller-manager on every control-plane host.</summary>
internal sealed class ControllerManagerPhase() : ServicePhase("controller-manager", "Run kube-controller-manager")
{
    private readonly InstallFiles _files = new(new Rendering.TemplateRenderer());

    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.ControlPlaneHosts;

    protected override IReadOnlyList<ServiceSpec> Services(InstallMaterial material, HostSpec host) => [ServiceCatalog.ControllerManager()];

    protected override Task<IReadOnlyList<DesiredFile>> FilesAsync(HostPlanning host, InstallMaterial material, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<DesiredFile>>([_files.ControllerManagerUnit(material, host.Host)]);
}
