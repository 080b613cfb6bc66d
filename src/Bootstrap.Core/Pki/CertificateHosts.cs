namespace Bootstrap.Core.Pki;

/// <summary>Which hosts of a cluster get a file of the PKI.</summary>
[Flags]
internal enum CertificateHosts
{
    None = 0,

    ControlPlanes = 1,

    /// <summary>Every etcd member (stacked or dedicated).</summary>
    EtcdMembers = 2,

    /// <summary>Only the host a per-host entry is for (<see cref="CertificateSpec.Host"/>).</summary>
    OwnHost = 4,
}
