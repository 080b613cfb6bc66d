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

    public override IReadOnlyList<PhaseTarget> Targets(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return PhaseTarget.Of(config.ControlPlaneHosts);
    }

    protected override IReadOnlyList<ServiceSpec> Services(InstallMaterial material, HostSpec host) => [ServiceCatalog.ControllerManager()];

    protected override Task<IReadOnlyList<DesiredFile>> FilesAsync(PhaseContext context, InstallMaterial material, HostView view, HostSpec host, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<DesiredFile>>([_files.ControllerManagerUnit(material, host)]);
}
