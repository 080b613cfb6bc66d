using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.ControlPlane;

/// <summary><c>control-plane/apiserver</c>: kube-apiserver with its audit policy and encryption at rest; restarts roll through the load balancer's handover.</summary>
internal sealed class ApiServerPhase() : ServicePhase("apiserver", "Run kube-apiserver with its audit policy and encryption at rest")
{
    private readonly InstallFiles _files = new(new Rendering.TemplateRenderer());

    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.ControlPlaneHosts;

    protected override IReadOnlyList<ServiceSpec> Services(InstallMaterial material, HostSpec host) =>
        [ServiceCatalog.ApiServer(material.Config, host)];

    protected override Task<IReadOnlyList<DesiredFile>> FilesAsync(HostPlanning host, InstallMaterial material, CancellationToken cancellationToken) =>
        Task.FromResult(_files.ApiServer(material, host.Host));
}
