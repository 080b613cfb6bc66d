using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using static Bootstrap.Core.Tests.ControlPlane.FlagAssert;

namespace Bootstrap.Core.Tests.ControlPlane;

/// <summary>kube-apiserver flags against kubeadm v1.20.2's getAPIServerCommand (phases/controlplane/manifests.go).</summary>
public sealed class ApiServerFlagsTests
{
    private static IReadOnlyList<string> Cp2Flags(int minor = 20, ApiServerFlagOptions? options = null)
    {
        var config = LabCluster.Load().AtVersion(minor);
        return ApiServerFlags.Build(config, config.Host("cp2"), options ?? ApiServerFlagOptions.Default);
    }

    [Theory]
    [InlineData("advertise-address", "192.168.56.22")]
    [InlineData("allow-privileged", "true")]
    [InlineData("authorization-mode", "Node,RBAC")]
    [InlineData("client-ca-file", "/etc/kubernetes/pki/ca.crt")]
    [InlineData("enable-admission-plugins", "NodeRestriction")]
    [InlineData("enable-bootstrap-token-auth", "true")]
    [InlineData("etcd-cafile", "/etc/kubernetes/pki/etcd/ca.crt")]
    [InlineData("etcd-certfile", "/etc/kubernetes/pki/apiserver-etcd-client.crt")]
    [InlineData("etcd-keyfile", "/etc/kubernetes/pki/apiserver-etcd-client.key")]
    [InlineData("insecure-port", "0")]
    [InlineData("kubelet-client-certificate", "/etc/kubernetes/pki/apiserver-kubelet-client.crt")]
    [InlineData("kubelet-client-key", "/etc/kubernetes/pki/apiserver-kubelet-client.key")]
    [InlineData("kubelet-preferred-address-types", "InternalIP,ExternalIP,Hostname")]
    [InlineData("proxy-client-cert-file", "/etc/kubernetes/pki/front-proxy-client.crt")]
    [InlineData("proxy-client-key-file", "/etc/kubernetes/pki/front-proxy-client.key")]
    [InlineData("requestheader-allowed-names", "front-proxy-client")]
    [InlineData("requestheader-client-ca-file", "/etc/kubernetes/pki/front-proxy-ca.crt")]
    [InlineData("requestheader-extra-headers-prefix", "X-Remote-Extra-")]
    [InlineData("requestheader-group-headers", "X-Remote-Group")]
    [InlineData("requestheader-username-headers", "X-Remote-User")]
    [InlineData("secure-port", "6443")]
    [InlineData("service-account-issuer", "https://kubernetes.default.svc.cluster.local")]
    [InlineData("service-account-key-file", "/etc/kubernetes/pki/sa.pub")]
    [InlineData("service-account-signing-key-file", "/etc/kubernetes/pki/sa.key")]
    [InlineData("service-cluster-ip-range", "10.96.0.0/12")]
    [InlineData("tls-cert-file", "/etc/kubernetes/pki/apiserver.crt")]
    [InlineData("tls-private-key-file", "/etc/kubernetes/pki/apiserver.key")]
    public void V1_20_has_the_flag_kubeadm_v1_20_2_gives_with_its_value(string flag, string expected) =>
        Assert.Equal(expected, Value(Cp2Flags(), flag));

    [Theory]
    [InlineData("profiling", "false")]
    [InlineData("audit-log-path", "/var/log/kubernetes/audit/audit.log")]
    [InlineData("audit-policy-file", "/etc/kubernetes/audit-policy.yaml")]
    [InlineData("audit-log-maxage", "30")]
    [InlineData("audit-log-maxbackup", "10")]
    [InlineData("audit-log-maxsize", "100")]
    [InlineData("encryption-provider-config", "/etc/kubernetes/encryption-config.yaml")]
    public void Hardening_flags_kubeadm_leaves_out_are_set(string flag, string expected) =>
        Assert.Equal(expected, Value(Cp2Flags(), flag));

    [Fact]
    public void A_stopping_api_server_keeps_serving_longer_than_the_load_balancer_takes_to_drop_it()
    {
        Assert.Equal("10s", Value(Cp2Flags(), "shutdown-delay-duration"));
        Assert.True(ApiServerHandover.ShutdownDelay > ApiServerHandover.LeaveBound, $"{ApiServerHandover.ShutdownDelay} <= {ApiServerHandover.LeaveBound}");
    }

    [Fact]
    public void Etcd_servers_name_only_the_local_stacked_member_at_its_loopback_as_kubeadm_does() =>
        Assert.Equal("https://127.0.0.1:2379", Value(Cp2Flags(), "etcd-servers"));

    [Fact]
    public void Secure_port_is_the_apiservers_own_port_even_when_the_endpoint_port_differs()
    {
        var config = LabCluster.Load();
        config = config with { ControlPlaneEndpoint = config.ControlPlaneEndpoint with { Port = 8443 } };

        Assert.Equal("6443", Value(ApiServerFlags.Build(config, config.Host("cp1"), ApiServerFlagOptions.Default), "secure-port"));
    }

    [Fact]
    public void Service_account_issuer_follows_the_dns_domain()
    {
        var config = LabCluster.Load();
        config = config with { Networking = config.Networking with { DnsDomain = "corp.example" } };

        Assert.Equal(
            "https://kubernetes.default.svc.corp.example",
            Value(ApiServerFlags.Build(config, config.Host("cp1"), ApiServerFlagOptions.Default), "service-account-issuer"));
    }

    [Fact]
    public void Kubelet_serving_certificates_are_verified_with_the_cluster_ca_unless_kubelets_serve_self_signed_ones()
    {
        var config = LabCluster.Load();
        using var patch = System.Text.Json.JsonDocument.Parse("""{"serverTLSBootstrap":false}""");
        var selfSigned = config with { Kubelet = new KubeletSpec { ConfigPatch = patch.RootElement.Clone() } };

        Assert.Equal("/etc/kubernetes/pki/ca.crt", Value(Cp2Flags(), "kubelet-certificate-authority"));
        Assert.True(ApiServerFlagOptions.For(config).VerifyKubeletServingCertificates);
        Assert.False(ApiServerFlagOptions.For(selfSigned).VerifyKubeletServingCertificates);
        Absent(Cp2Flags(options: ApiServerFlagOptions.For(selfSigned)), "kubelet-certificate-authority");
    }

    [Fact]
    public void Flags_are_sorted_by_name_like_kubeadms_argument_list_and_each_appears_once()
    {
        var flags = Cp2Flags();

        SortedByName(flags);
        Assert.Equal(flags.Count, flags.Select(f => f.Split('=')[0]).Distinct().Count());
        Assert.Equal(37, flags.Count);
    }

    [Fact]
    public void A_host_that_is_not_a_control_plane_is_refused()
    {
        var config = LabCluster.Load();

        Assert.Throws<ArgumentException>(() => ApiServerFlags.Build(config, config.Host("w1"), ApiServerFlagOptions.Default));
    }
}
