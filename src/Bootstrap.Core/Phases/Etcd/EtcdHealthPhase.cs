using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Etcd;

/// <summary><c>etcd/health</c>: waits until every member answers its health check (members of a new cluster need each other first).</summary>
internal sealed class EtcdHealthPhase : HealthCheckPhase
{
    public override string Name => "health";

    public override string Description => "Wait until every etcd member is healthy";

    public override IReadOnlyList<PhaseTarget> Targets(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return PhaseTarget.Of(config.EtcdMembers);
    }

    protected override ServiceSpec Service(ClusterConfig config, HostSpec host) => ServiceCatalog.Etcd();
}
