namespace Bootstrap.Core.Config;

/// <summary>What a host does in the cluster. Spelled in the cluster file as shown on each member.</summary>
public enum HostRole
{
    /// <summary><c>control-plane</c>: runs kube-apiserver, kube-controller-manager and kube-scheduler (and etcd when stacked).</summary>
    ControlPlane,

    /// <summary><c>etcd</c>: a dedicated etcd member (only with <c>etcd.topology: dedicated</c>).</summary>
    Etcd,

    /// <summary><c>worker</c>: runs workloads.</summary>
    Worker,

    /// <summary><c>loadbalancer</c>: runs haproxy and keepalived holding the virtual IP.</summary>
    LoadBalancer,
}
