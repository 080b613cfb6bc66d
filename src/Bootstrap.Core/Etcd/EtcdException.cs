namespace Bootstrap.Core.Etcd;

/// <summary>etcd refused a request, or etcdctl's output was not what it should be; the message names the host and what was asked.</summary>
public sealed class EtcdException : Exception
{
    public EtcdException()
    {
    }

    public EtcdException(string message)
        : base(message)
    {
    }

    public EtcdException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
