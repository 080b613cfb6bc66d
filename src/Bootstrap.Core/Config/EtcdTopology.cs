namespace Bootstrap.Core.Config;

/// <summary>Where etcd members run.</summary>
public enum EtcdTopology
{
    /// <summary><c>stacked</c>: one member on every control-plane host.</summary>
    Stacked,

    /// <summary><c>dedicated</c>: one member on every host with role <c>etcd</c>.</summary>
    Dedicated,
}
