namespace Bootstrap.Core.Etcd;

/// <summary><c>etcdctl snapshot status</c> of a snapshot file: the hash of its keys and values, its revision, its key count and size.</summary>
internal sealed record EtcdSnapshotStatus(uint Hash, long Revision, long TotalKeys, long TotalSize);
