using Bootstrap.Core.Config;
using Bootstrap.Core.Install;

namespace Bootstrap.Core.Phases.Etcd;

/// <summary><c>etcd/health</c>: waits until every member answers its health check (members of a new cluster need each other first).</summary>
internal sealed class EtcdHealthPhase() : HealthCheckPhase("health", "Wait until every etcd member is healthy")
{
    protected override ServiceSpec Service(ClusterConfig config) => ServiceCatalog.Etcd();

    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.EtcdMembers;
}
