namespace Bootstrap.Core.ControlPlane;

/// <summary>etcd's <c>--initial-cluster-state</c>: members of a cluster bootstrapped together start <c>new</c>; a member added to a running cluster starts <c>existing</c>.</summary>
internal enum EtcdClusterState
{
    New,
    Existing,
}
