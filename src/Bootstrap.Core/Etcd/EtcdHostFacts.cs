using Bootstrap.Core.ControlPlane;

namespace Bootstrap.Core.Etcd;

/// <summary>What one etcd host of the cluster file holds, as far as membership decisions go.</summary>
/// <param name="HasData">It has a member directory (<c>/var/lib/etcd/member</c>): it was (or is) a member.</param>
/// <param name="Unit">The initial-cluster flags of the etcd unit Bootstrap wrote on it; null without one.</param>
internal sealed record EtcdHostFacts(string Name, string PeerUrl, bool HasData, EtcdInitialCluster? Unit = null)
{
    /// <summary>The <c>--initial-cluster-state</c> its unit was written with; null without a unit.</summary>
    public EtcdClusterState? UnitState => Unit?.State;
}
