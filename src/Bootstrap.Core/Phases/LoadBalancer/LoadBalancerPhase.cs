using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Phases.Install;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.LoadBalancer;

/// <summary><c>load-balancer</c>: haproxy and keepalived (the virtual IP) on the load-balancer hosts; nothing for an external load balancer.</summary>
internal sealed class LoadBalancerPhase : ServicePhase
{
    private readonly InstallFiles _files = new(new Rendering.TemplateRenderer());

    public override string Name => "load-balancer";

    public override string Description => "Run haproxy and keepalived (the virtual IP) on the loadbalancer hosts; nothing for an external load balancer";

    public override IReadOnlyList<PhaseTarget> Targets(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.LoadBalancer.Type == LoadBalancerType.HaproxyKeepalived ? PhaseTarget.Of(config.LoadBalancerHosts) : [];
    }

    protected override IReadOnlyList<ServiceSpec> Services(InstallMaterial material, HostSpec host) => [ServiceCatalog.Haproxy(), ServiceCatalog.Keepalived()];

    protected override async Task<IReadOnlyList<DesiredFile>> FilesAsync(PhaseContext context, InstallMaterial material, HostView view, HostSpec host, CancellationToken cancellationToken)
    {
        var interfaceName = material.Config.LoadBalancer.Interface
            ?? await HostPreparation.InterfaceOfAsync(view, host.Address.ToString(), cancellationToken).ConfigureAwait(false);
        return _files.LoadBalancer(material, host, interfaceName);
    }
}
