using Bootstrap.Core.Config;
using Bootstrap.Core.Install;

namespace Bootstrap.Core.Phases.ControlPlane;

/// <summary><c>wait-control-plane</c>: waits until the API answers through the control-plane endpoint, from each control-plane host.</summary>
internal sealed class WaitControlPlanePhase() : HealthCheckPhase("wait-control-plane", "Wait until the API answers through the control-plane endpoint")
{
    protected override ServiceSpec Service(ClusterConfig config) => ServiceCatalog.Endpoint(config);

    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.ControlPlaneHosts;
}
