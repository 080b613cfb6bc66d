using System.Net;

namespace Bootstrap.Core.Pki;

/// <summary>
/// One entry of the <see cref="CertificateCatalog"/>: what a certificate must look like and where
/// it lives. Generation, renewal and the expiry report are all derived from these entries.
/// </summary>
internal sealed record CertificateSpec
{
    /// <summary>Unique name, kubeadm's where one exists ("apiserver", "etcd-server/cp1", "admin.conf").</summary>
    public required string Name { get; init; }

    public required CertificateKind Kind { get; init; }

    /// <summary>Path relative to the state directory: without extension for key pairs ("pki/etcd/ca"), the file itself for kubeconfigs.</summary>
    public required string Path { get; init; }

    /// <summary>Name of the signing CA's entry; null for CAs.</summary>
    public string? CaName { get; init; }

    public required string CommonName { get; init; }

    public IReadOnlyList<string> Organizations { get; init; } = [];

    public KeyPurposes Purposes { get; init; }

    public IReadOnlyList<string> DnsNames { get; init; } = [];

    public IReadOnlyList<IPAddress> IpAddresses { get; init; } = [];

    /// <summary>For kubeconfigs: the user name in the file.</summary>
    public string? KubeconfigUser { get; init; }

    /// <summary>The host a per-host entry belongs to (etcd member, kubelet), else null.</summary>
    public string? Host { get; init; }

    /// <summary>Where it lives on the hosts, relative to /etc/kubernetes, like <see cref="Path"/> (e.g. "pki/etcd/server", "admin.conf").</summary>
    public required string HostPath { get; init; }

    /// <summary>Which hosts get the certificate (for kubeconfigs, the file).</summary>
    public CertificateHosts CertificateOn { get; init; }

    /// <summary>Which hosts get the private key (none but control planes for CAs; the same as the certificate for leaves).</summary>
    public CertificateHosts KeyOn { get; init; }

    /// <summary>The owner of the files on the host (etcd reads its own key pairs as its user).</summary>
    public string HostOwner { get; init; } = "root";

    /// <summary>Name without the "/host" suffix, e.g. "etcd-server" for every member's server certificate.</summary>
    public string BaseName => Host is null ? Name : Name[..Name.LastIndexOf('/')];
}
