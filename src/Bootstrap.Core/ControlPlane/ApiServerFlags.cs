using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;

namespace Bootstrap.Core.ControlPlane;

/// <summary>
/// kube-apiserver's flags on one control-plane host: those kubeadm v1.20 gives it
/// (<c>getAPIServerCommand</c>): etcd-servers names only the host's own member when it holds one (as kubeadm's
/// stacked etcd does, so that a member's restart touches only its own API server, which leaves the load balancer
/// first; with etcd elsewhere, every member), plus audit logging, encryption of Secrets at rest, profiling off and a shutdown delay for the
/// load balancer.
/// </summary>
internal static class ApiServerFlags
{
    /// <summary>Whether <paramref name="host"/>'s API server reads only the etcd member on the same host.</summary>
    public static bool ReadsOnlyItsLocalMember(ClusterConfig config, HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(host);
        return host.HasRole(HostRole.ControlPlane) && config.EtcdMembers.Contains(host);
    }

    /// <summary>
    /// The member on the host, at its loopback address (as etcdctl on the host reaches it; its server certificate names it);
    /// every member in file order otherwise.
    /// </summary>
    private static string EtcdServers(ClusterConfig config, HostSpec host) =>
        ReadsOnlyItsLocalMember(config, host)
            ? Endpoints.Url("https", Endpoints.LoopbackFor(host.Address), KubeadmLayout.EtcdClientPort)
            : string.Join(',', config.EtcdMembers.Select(m => Endpoints.Url("https", m.Address, KubeadmLayout.EtcdClientPort)));

    public static IReadOnlyList<string> Build(ClusterConfig config, HostSpec host, ApiServerFlagOptions options)
    {
        if (!host.HasRole(HostRole.ControlPlane))
        {
            throw new ArgumentException($"host {host.Name} is not a control-plane host", nameof(host));
        }

        var flags = new FlagSet(ControlPlaneComponent.KubeApiServer, config.KubernetesVersion)
            .Add("advertise-address", host.Address.ToString())
            .Add("allow-privileged", true)
            .Add("authorization-mode", "Node,RBAC")
            .Add("client-ca-file", KubeadmLayout.CaCert)
            .Add("enable-admission-plugins", "NodeRestriction")
            .Add("enable-bootstrap-token-auth", true)
            .Add("etcd-cafile", KubeadmLayout.EtcdCaCert)
            .Add("etcd-certfile", KubeadmLayout.ApiServerEtcdClientCert)
            .Add("etcd-keyfile", KubeadmLayout.ApiServerEtcdClientKey)
            .Add("etcd-servers", EtcdServers(config, host))
            .Add("insecure-port", 0)
            .Add("kubelet-client-certificate", KubeadmLayout.ApiServerKubeletClientCert)
            .Add("kubelet-client-key", KubeadmLayout.ApiServerKubeletClientKey)
            .Add("kubelet-preferred-address-types", "InternalIP,ExternalIP,Hostname")
            .Add("proxy-client-cert-file", KubeadmLayout.FrontProxyClientCert)
            .Add("proxy-client-key-file", KubeadmLayout.FrontProxyClientKey)
            .Add("requestheader-allowed-names", "front-proxy-client")
            .Add("requestheader-client-ca-file", KubeadmLayout.FrontProxyCaCert)
            .Add("requestheader-extra-headers-prefix", "X-Remote-Extra-")
            .Add("requestheader-group-headers", "X-Remote-Group")
            .Add("requestheader-username-headers", "X-Remote-User")
            .Add("secure-port", KubeadmLayout.ApiServerPort)
            .Add("service-account-issuer", $"https://kubernetes.default.svc.{config.Networking.DnsDomain}")
            .Add("service-account-key-file", KubeadmLayout.ServiceAccountPublicKey)
            .Add("service-account-signing-key-file", KubeadmLayout.ServiceAccountPrivateKey)
            .Add("service-cluster-ip-range", config.Networking.ServiceSubnet.ToString())
            .Add("tls-cert-file", KubeadmLayout.ApiServerCert)
            .Add("tls-private-key-file", KubeadmLayout.ApiServerKey)
            // Hardening beyond kubeadm.
            .Add("profiling", false)
            .Add("audit-log-path", KubeadmLayout.AuditLog)
            .Add("audit-policy-file", KubeadmLayout.AuditPolicy)
            .Add("audit-log-maxage", options.AuditLogMaxAgeDays)
            .Add("audit-log-maxbackup", options.AuditLogMaxBackups)
            .Add("audit-log-maxsize", options.AuditLogMaxSizeMegabytes)
            .Add("encryption-provider-config", KubeadmLayout.EncryptionConfig)
            // Leave the load balancer's pool before closing the listener (ApiServerHandover).
            .Add("shutdown-delay-duration", GoDuration.Format(ApiServerHandover.ShutdownDelay));

        if (options.VerifyKubeletServingCertificates)
        {
            flags.Add("kubelet-certificate-authority", KubeadmLayout.CaCert);
        }

        return flags.ToArguments(config.ExtraArgs.ApiServer);
    }
}
