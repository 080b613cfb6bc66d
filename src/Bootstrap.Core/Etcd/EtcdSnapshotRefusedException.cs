namespace Bootstrap.Core.Etcd;

/// <summary>A snapshot that may not be restored (it does not verify); nothing was changed anywhere.</summary>
public sealed class EtcdSnapshotRefusedException : Exception
{
    public EtcdSnapshotRefusedException()
    {
    }

    public EtcdSnapshotRefusedException(string message)
        : base(message)
    {
    }

    public EtcdSnapshotRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
