using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.ControlPlane;

/// <summary><c>wait-control-plane</c>: waits until the API answers through the control-plane endpoint, from each control-plane host.</summary>
internal sealed class WaitControlPlanePhase : HealthCheckPhase
{
    public override string Name => "wait-control-plane";

    public override string Description => "Wait until the API answers through the control-plane endpoint";

    public override IReadOnlyList<PhaseTarget> Targets(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return PhaseTarget.Of(config.ControlPlaneHosts);
    }

    protected override ServiceSpec Service(ClusterConfig config, HostSpec host) => ServiceCatalog.Endpoint();
}
