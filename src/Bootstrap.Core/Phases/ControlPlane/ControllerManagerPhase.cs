using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.ControlPlane;

/// <summary><c>control-plane/controller-manager</c>: kube-controller-manager on every control-plane host.</summary>
internal sealed class ControllerManagerPhase : ServicePhase
{
    private readonly InstallFiles _files = new(new Rendering.TemplateRenderer());

    public override string Name => "controller-manager";

    public override string Description => "Run kube-controller-manager";

    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.ControlPlaneHosts;

    protected override IReadOnlyList<ServiceSpec> Services(InstallMaterial material, HostSpec host) => [ServiceCatalog.ControllerManager()];

    protected override Task<IReadOnlyList<DesiredFile>> FilesAsync(HostPlanning host, InstallMaterial material, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<DesiredFile>>([_files.ControllerManagerUnit(material, host.Host)]);
}
