namespace Bootstrap.Core.Config;

/// <summary>How kube-proxy programs Services.</summary>
public enum KubeProxyMode
{
    /// <summary><c>iptables</c> (the default).</summary>
    Iptables,

    /// <summary><c>ipvs</c>: needs the ip_vs kernel modules on every node.</summary>
    Ipvs,
}
