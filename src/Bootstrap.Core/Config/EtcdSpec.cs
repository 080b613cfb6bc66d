namespace Bootstrap.Core.Config;

/// <summary>The etcd cluster (<c>spec.etcd</c>).</summary>
public sealed record EtcdSpec
{
    public required EtcdTopology Topology { get; init; }

    /// <summary>Scheduled snapshots on every member; null when the cluster file has no <c>etcd.backup</c>.</summary>
    public EtcdBackupSpec? Backup { get; init; }
}
