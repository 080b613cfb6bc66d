namespace Bootstrap.Core.Tests.Pki;

/// <summary>A test that needs Debian's etcd and etcdctl (apt-get install etcd-server etcd-client); skipped, saying so, when they are absent.</summary>
public sealed class EtcdFactAttribute : FactAttribute
{
    public const string Etcd = "/usr/bin/etcd";
    public const string Etcdctl = "/usr/bin/etcdctl";

    public EtcdFactAttribute()
    {
        if (!File.Exists(Etcd) || !File.Exists(Etcdctl))
        {
            Skip = $"{Etcd} and {Etcdctl} are required (Debian packages etcd-server and etcd-client).";
        }
    }
}
