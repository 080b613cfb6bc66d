using System.Net;
using Bootstrap.Core.Pki;

namespace Bootstrap.Core.Tests.Pki;

public sealed class CertificateCatalogTests
{
    // Expected values are written out from kubeadm v1.20 (cmd/kubeadm/app/constants and
    // phases/certs/certlist.go), not derived from the catalog, so a typo in either shows up.
    [Theory]
    [InlineData("ca", "pki/ca", null, "kubernetes", "", "")]
    [InlineData("etcd-ca", "pki/etcd/ca", null, "etcd-ca", "", "")]
    [InlineData("front-proxy-ca", "pki/front-proxy-ca", null, "front-proxy-ca", "", "")]
    [InlineData("apiserver", "pki/apiserver", "ca", "kube-apiserver", "", "server")]
    [InlineData("apiserver-kubelet-client", "pki/apiserver-kubelet-client", "ca", "kube-apiserver-kubelet-client", "system:masters", "client")]
    [InlineData("front-proxy-client", "pki/front-proxy-client", "front-proxy-ca", "front-proxy-client", "", "client")]
    [InlineData("etcd-server/cp2", "hosts/cp2/pki/etcd/server", "etcd-ca", "cp2", "", "server,client")]
    [InlineData("etcd-peer/cp2", "hosts/cp2/pki/etcd/peer", "etcd-ca", "cp2", "", "server,client")]
    [InlineData("etcd-healthcheck-client", "pki/etcd/healthcheck-client", "etcd-ca", "kube-etcd-healthcheck-client", "system:masters", "client")]
    [InlineData("apiserver-etcd-client", "pki/apiserver-etcd-client", "etcd-ca", "kube-apiserver-etcd-client", "system:masters", "client")]
    [InlineData("admin.conf", "admin.conf", "ca", "kubernetes-admin", "system:masters", "client")]
    [InlineData("controller-manager.conf", "controller-manager.conf", "ca", "system:kube-controller-manager", "", "client")]
    [InlineData("scheduler.conf", "scheduler.conf", "ca", "system:kube-scheduler", "", "client")]
    public void Entries_use_kubeadm_file_names_subjects_and_usages(string name, string path, string? ca, string commonName, string organization, string usages)
    {
        var spec = CertificateCatalog.Build(PkiRequests.ThreeControlPlanes()).Single(s => s.Name == name);

        Assert.Equal(path, spec.Path);
        Assert.Equal(ca, spec.CaName);
        Assert.Equal(commonName, spec.CommonName);
        Assert.Equal(organization, string.Join(',', spec.Organizations));
        var expected = (usages.Contains("server", StringComparison.Ordinal) ? KeyPurposes.ServerAuth : KeyPurposes.None)
            | (usages.Contains("client", StringComparison.Ordinal) ? KeyPurposes.ClientAuth : KeyPurposes.None);
        Assert.Equal(expected, spec.Purposes);
    }

    [Fact]
    public void Three_stacked_control_planes_give_three_cas_five_shared_leaves_six_etcd_leaves_and_three_kubeconfigs()
    {
        var specs = CertificateCatalog.Build(PkiRequests.ThreeControlPlanes());

        Assert.Equal(3, specs.Count(s => s.Kind == CertificateKind.Authority));
        Assert.Equal(11, specs.Count(s => s.Kind == CertificateKind.Leaf));
        Assert.Equal(3, specs.Count(s => s.Kind == CertificateKind.Kubeconfig));
        Assert.Equal(specs.Count, specs.Select(s => s.Name).Distinct().Count());
        Assert.Equal(specs.Count, specs.Select(s => s.Path).Distinct().Count());
    }

    [Fact]
    public void Apiserver_sans_cover_hosts_service_names_service_ip_endpoint_and_extra_sans()
    {
        var apiserver = CertificateCatalog.Build(PkiRequests.ThreeControlPlanes()).Single(s => s.Name == "apiserver");

        Assert.Equal(
            ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "cp1", "cp2", "cp3", "api.example.test"],
            apiserver.DnsNames);
        Assert.Equal(
            ["10.96.0.1", "10.0.0.11", "10.0.0.12", "10.0.0.13", "10.0.0.10", "192.0.2.7"],
            apiserver.IpAddresses.Select(ip => ip.ToString()));
    }

    [Fact]
    public void A_dns_endpoint_and_custom_domain_land_in_the_apiserver_dns_sans()
    {
        var request = PkiRequests.Single() with { DnsDomain = "corp.internal", ExtraSans = [] };
        var apiserver = CertificateCatalog.Build(request).Single(s => s.Name == "apiserver");

        Assert.Contains("api.example.test", apiserver.DnsNames);
        Assert.Contains("kubernetes.default.svc.corp.internal", apiserver.DnsNames);
    }

    [Fact]
    public void Etcd_member_certificates_name_the_member_localhost_its_address_and_both_loopbacks()
    {
        var specs = CertificateCatalog.Build(PkiRequests.ThreeControlPlanes());

        foreach (var name in new[] { "etcd-server/cp2", "etcd-peer/cp2" })
        {
            var spec = specs.Single(s => s.Name == name);
            Assert.Equal(["cp2", "localhost"], spec.DnsNames);
            Assert.Equal([IPAddress.Parse("10.0.0.12"), IPAddress.Loopback, IPAddress.IPv6Loopback], spec.IpAddresses);
        }
    }

    [Fact]
    public void No_kubelet_credential_is_issued_kubelets_obtain_theirs_by_tls_bootstrap()
    {
        var specs = CertificateCatalog.Build(PkiRequests.ThreeControlPlanes());

        Assert.DoesNotContain(specs, s => s.BaseName == "kubelet.conf" || s.Organizations.Contains("system:nodes"));
    }

    [Fact]
    public void Each_host_gets_the_files_its_roles_need_derived_from_the_catalog()
    {
        var request = PkiRequests.ThreeControlPlanes() with { EtcdMembers = [new("e1", "10.0.1.1")] };
        IReadOnlyList<string> Files(string host) => [.. CertificatePlacement.For(request, host).Select(f => f.HostPath["/etc/kubernetes/".Length..]).Order(StringComparer.Ordinal)];

        Assert.Equal(
            [
                "admin.conf", "controller-manager.conf",
                "pki/apiserver-etcd-client.crt", "pki/apiserver-etcd-client.key", "pki/apiserver-kubelet-client.crt", "pki/apiserver-kubelet-client.key",
                "pki/apiserver.crt", "pki/apiserver.key", "pki/ca.crt", "pki/ca.key", "pki/etcd/ca.crt", "pki/etcd/ca.key",
                "pki/front-proxy-ca.crt", "pki/front-proxy-ca.key", "pki/front-proxy-client.crt", "pki/front-proxy-client.key", "pki/sa.key", "pki/sa.pub",
                "scheduler.conf",
            ],
            Files("cp1"));
        Assert.Equal(
            ["pki/etcd/ca.crt", "pki/etcd/healthcheck-client.crt", "pki/etcd/healthcheck-client.key", "pki/etcd/peer.crt", "pki/etcd/peer.key", "pki/etcd/server.crt", "pki/etcd/server.key"],
            Files("e1"));
        // CIS 1.1.19: everything under /etc/kubernetes/pki is root's, etcd's own key pairs too.
        Assert.All(CertificatePlacement.For(request, "e1").Concat(CertificatePlacement.For(request, "cp1")), f => Assert.Equal("root", f.Owner));
        Assert.All(CertificatePlacement.For(request, "cp1"), f => Assert.Equal(!f.HostPath.EndsWith(".crt", StringComparison.Ordinal) && !f.HostPath.EndsWith(".pub", StringComparison.Ordinal), f.Secret));
    }

    [Theory]
    [InlineData("10.96.0.0/12", "10.96.0.1")]
    [InlineData("10.96.7.9/12", "10.96.0.1")]
    [InlineData("172.16.5.0/24", "172.16.5.1")]
    [InlineData("fd00:10:96::/108", "fd00:10:96::1")]
    [InlineData("10.96.0.0/16,fd00::/108", "10.96.0.1")]
    public void First_service_address_is_the_network_address_plus_one(string cidr, string expected)
    {
        Assert.True(Cidr.TryFirstAddress(cidr, out var address));
        Assert.Equal(IPAddress.Parse(expected), address);
    }

    [Theory]
    [InlineData("10.96.0.0")]
    [InlineData("10.96.0.0/32")]
    [InlineData("nonsense/12")]
    [InlineData("10.96.0.0/x")]
    public void Malformed_service_subnets_are_rejected(string cidr) => Assert.False(Cidr.TryFirstAddress(cidr, out _));

    [Fact]
    public void Invalid_requests_name_every_problem()
    {
        var request = PkiRequests.Single() with
        {
            ControlPlaneHosts = [new("CP_1", "not-an-ip")],
            EndpointHost = "",
            ServiceSubnet = "10.0.0.0",
            ExtraSans = ["bad san"],
            ExternalCas = new Dictionary<string, ExternalCaFiles> { ["root"] = new("a", "b") },
        };

        var problems = request.Validate();

        Assert.Contains(problems, p => p.Contains("CP_1", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("not-an-ip", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("endpoint host", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("service subnet", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("bad san", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("external CA 'root'", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => CertificateCatalog.Build(request));
    }

    [Fact]
    public void Ipv6_endpoints_are_bracketed_in_the_server_url()
    {
        Assert.Equal("https://[fd00::10]:6443", (PkiRequests.Single() with { EndpointHost = "fd00::10" }).ServerUrl);
        Assert.Equal("https://api.example.test:6443", PkiRequests.Single().ServerUrl);
    }
}
