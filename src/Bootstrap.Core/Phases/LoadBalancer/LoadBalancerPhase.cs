using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Phases.Install;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.LoadBalancer;

/// <summary><c>load-balancer</c>: haproxy and keepalived (the virtual IP) on the load-balancer hosts; nothing for an external load balancer.</summary>
internal sealed class LoadBalancerPhase() : ServicePhase("load-balancer", "Run haproxy and keepalived (the virtual IP) on the loadbalancer hosts; nothing for an external load balancer")
{
    private readonly InstallFiles _files = new(new Rendering.TemplateRenderer());

    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.LoadBalancer.Type == LoadBalancerType.HaproxyKeepalived ? config.LoadBalancerHosts : [];

    protected override IReadOnlyList<ServiceSpec> Services(InstallMaterial material, HostSpec host) => [ServiceCatalog.Haproxy(), ServiceCatalog.Keepalived()];

    protected override async Task<IReadOnlyList<DesiredFile>> FilesAsync(HostPlanning host, InstallMaterial material, CancellationToken cancellationToken)
    {
        var interfaceName = material.Config.LoadBalancer.Interface
            ?? await HostPreparation.InterfaceOfAsync(host.View, host.Host.Address.ToString(), cancellationToken).ConfigureAwait(false);
        return _files.LoadBalancer(material, host.Host, interfaceName);
    }
}
