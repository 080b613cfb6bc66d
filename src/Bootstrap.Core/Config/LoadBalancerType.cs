namespace Bootstrap.Core.Config;

/// <summary>Who balances traffic to the API servers.</summary>
public enum LoadBalancerType
{
    /// <summary><c>haproxy-keepalived</c>: Bootstrap installs haproxy and keepalived on the <c>loadbalancer</c> hosts.</summary>
    HaproxyKeepalived,

    /// <summary><c>external</c>: a load balancer Bootstrap does not manage; only the endpoint is used.</summary>
    External,
}
