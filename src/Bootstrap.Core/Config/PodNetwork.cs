namespace Bootstrap.Core.Config;

/// <summary>Who runs the pod network (<c>spec.networking.cni</c>).</summary>
public enum PodNetwork
{
    /// <summary><c>bridge</c>: Bootstrap's bridge CNI network on each node, with host routes between the nodes' pod ranges.</summary>
    Bridge,

    /// <summary><c>none</c>: the admin installs a CNI (Calico, Cilium …); Bootstrap removes its own bridge network.</summary>
    None,
}
