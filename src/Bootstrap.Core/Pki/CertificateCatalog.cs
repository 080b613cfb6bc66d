using System.Net;

namespace Bootstrap.Core.Pki;

/// <summary>
/// The declarative list of every certificate of a cluster, modelled on kubeadm's certlist:
/// three CAs, the API server and etcd leaves, and the kubeconfigs with embedded client
/// certificates, each with where it goes on the hosts (<see cref="CertificatePlacement"/> derives each
/// host's files from it). State paths mirror /etc/kubernetes: shared files under "pki/" and at the
/// top level, per-host files (etcd server/peer) under "hosts/&lt;name&gt;/". Kubelets get no entry: they
/// make their own keys and obtain their certificates by TLS bootstrap.
/// </summary>
internal static class CertificateCatalog
{
    public const string Ca = "ca";
    public const string EtcdCa = "etcd-ca";
    public const string FrontProxyCa = "front-proxy-ca";

    /// <summary>The service-account signing key pair: sa.key (private) and sa.pub (PKIX public key). Not a certificate, never expires.</summary>
    public const string ServiceAccountKeyPath = "pki/sa";

    /// <summary>The system user etcd runs as; it owns the data directory, not the key pairs (root's, handed over by systemd: ControlPlane.EtcdCredentials).</summary>
    public const string EtcdUser = "etcd";

    public static readonly IReadOnlyList<string> AuthorityNames = [Ca, EtcdCa, FrontProxyCa];

    public static IReadOnlyList<CertificateSpec> Build(PkiRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.EnsureValid();
        var specs = new List<CertificateSpec>
        {
            Authority(Ca, "pki/ca", KubeadmNames.CaCommonName, CertificateHosts.ControlPlanes),
            Authority(EtcdCa, "pki/etcd/ca", KubeadmNames.EtcdCaCommonName, CertificateHosts.ControlPlanes | CertificateHosts.EtcdMembers),
            Authority(FrontProxyCa, "pki/front-proxy-ca", KubeadmNames.FrontProxyCaCommonName, CertificateHosts.ControlPlanes),
            ApiServer(request),
            Leaf("apiserver-kubelet-client", "pki/apiserver-kubelet-client", Ca, KubeadmNames.ApiServerKubeletClientCommonName, KeyPurposes.ClientAuth, KubeadmNames.MastersGroup),
            Leaf("front-proxy-client", "pki/front-proxy-client", FrontProxyCa, KubeadmNames.FrontProxyClientCommonName, KeyPurposes.ClientAuth),
        };

        foreach (var member in request.EtcdMembers)
        {
            specs.Add(EtcdMember("etcd-server", "server", member));
            specs.Add(EtcdMember("etcd-peer", "peer", member));
        }

        specs.Add(Leaf("etcd-healthcheck-client", "pki/etcd/healthcheck-client", EtcdCa, KubeadmNames.EtcdHealthcheckClientCommonName, KeyPurposes.ClientAuth, KubeadmNames.MastersGroup) with
        {
            CertificateOn = CertificateHosts.EtcdMembers,
            KeyOn = CertificateHosts.EtcdMembers,
        });
        specs.Add(Leaf("apiserver-etcd-client", "pki/apiserver-etcd-client", EtcdCa, KubeadmNames.ApiServerEtcdClientCommonName, KeyPurposes.ClientAuth, KubeadmNames.MastersGroup));

        specs.Add(Kubeconfig(KubeadmNames.AdminKubeconfig, KubeadmNames.AdminKubeconfig, KubeadmNames.AdminUser, host: null, KubeadmNames.MastersGroup));
        specs.Add(Kubeconfig(KubeadmNames.ControllerManagerKubeconfig, KubeadmNames.ControllerManagerKubeconfig, KubeadmNames.ControllerManagerUser, host: null));
        specs.Add(Kubeconfig(KubeadmNames.SchedulerKubeconfig, KubeadmNames.SchedulerKubeconfig, KubeadmNames.SchedulerUser, host: null));
        return specs;
    }

    private static CertificateSpec Authority(string name, string path, string commonName, CertificateHosts certificateOn) =>
        Entry(name, CertificateKind.Authority, path, commonName) with { CertificateOn = certificateOn };

    // Control-plane leaves by default; callers narrow or widen it.
    private static CertificateSpec Leaf(string name, string path, string ca, string commonName, KeyPurposes purposes, params string[] organizations) =>
        Entry(name, CertificateKind.Leaf, path, commonName) with { CaName = ca, Purposes = purposes, Organizations = organizations };

    /// <summary>An entry stored and installed at <paramref name="path"/>, on the control planes, key included.</summary>
    private static CertificateSpec Entry(string name, CertificateKind kind, string path, string commonName) => new()
    {
        Name = name,
        Kind = kind,
        Path = path,
        HostPath = path,
        CommonName = commonName,
        CertificateOn = CertificateHosts.ControlPlanes,
        KeyOn = CertificateHosts.ControlPlanes,
    };

    private static CertificateSpec ApiServer(PkiRequest request)
    {
        Cidr.TryFirstAddress(request.ServiceSubnet, out var serviceIp);
        var dns = new List<string>
        {
            "kubernetes",
            "kubernetes.default",
            "kubernetes.default.svc",
            "kubernetes.default.svc." + request.DnsDomain,
        };
        var ips = new List<IPAddress> { serviceIp };
        foreach (var host in request.ControlPlaneHosts)
        {
            dns.Add(host.Name);
            ips.Add(IPAddress.Parse(host.Address));
        }

        foreach (var san in request.ExtraSans.Prepend(request.EndpointHost))
        {
            if (IPAddress.TryParse(san, out var ip))
            {
                ips.Add(ip);
            }
            else
            {
                dns.Add(san);
            }
        }

        return Leaf("apiserver", "pki/apiserver", Ca, KubeadmNames.ApiServerCommonName, KeyPurposes.ServerAuth) with
        {
            DnsNames = dns.Distinct(StringComparer.Ordinal).ToArray(),
            IpAddresses = ips.Distinct().ToArray(),
        };
    }

    // kubeadm names etcd certificates after the node and makes them both server and client
    // certificates (etcd 3.2+ checks ClientAuth on the server certificate too). Owned by root like
    // every file under /etc/kubernetes/pki (CIS 1.1.19): etcd gets them as systemd credentials.
    private static CertificateSpec EtcdMember(string name, string file, PkiHost member) =>
        Leaf($"{name}/{member.Name}", $"hosts/{member.Name}/pki/etcd/{file}", EtcdCa, member.Name, KeyPurposes.ServerAuth | KeyPurposes.ClientAuth) with
        {
            Host = member.Name,
            HostPath = $"pki/etcd/{file}",
            CertificateOn = CertificateHosts.OwnHost,
            KeyOn = CertificateHosts.OwnHost,
            DnsNames = [member.Name, "localhost"],
            IpAddresses = new[] { IPAddress.Parse(member.Address), IPAddress.Loopback, IPAddress.IPv6Loopback }.Distinct().ToArray(),
        };

    private static CertificateSpec Kubeconfig(string name, string path, string user, string? host, params string[] organizations) =>
        Leaf(name, path, Ca, user, KeyPurposes.ClientAuth, organizations) with { Kind = CertificateKind.Kubeconfig, KubeconfigUser = user, Host = host };
}
