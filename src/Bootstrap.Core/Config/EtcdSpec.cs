namespace Bootstrap.Core.Config;

/// <summary>The etcd cluster (<c>spec.etcd</c>).</summary>
public sealed record EtcdSpec
{
    public required EtcdTopology Topology { get; init; }
}
