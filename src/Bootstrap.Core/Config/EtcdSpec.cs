namespace Bootstrap.Core.Config;

/// <summary>The etcd cluster (<c>spec.etcd</c>).</summary>
public sealed record EtcdSpec
{
    public required EtcdTopology Topology { get; init; }

    /// <summary>
    /// <c>spec.etcd.version</c>: the etcd release the artifacts hold (e.g. 3.5.16), for the version checks of
    /// <c>upgrade plan</c>; null when not declared (the checks then say so).
    /// </summary>
    public KubernetesVersion? Version { get; init; }

    /// <summary>Scheduled snapshots on every member; null when the cluster file has no <c>etcd.backup</c>.</summary>
    public EtcdBackupSpec? Backup { get; init; }
}
