namespace Bootstrap.Core.ControlPlane;

/// <summary>
/// Where files live on the hosts: kubeadm v1.20's layout (<c>cmd/kubeadm/app/constants</c>) for
/// certificates, keys and kubeconfigs, plus Bootstrap's own files for the hardening kubeadm leaves out.
/// </summary>
internal static class KubeadmLayout
{
    public const string KubernetesDir = "/etc/kubernetes";
    public const string PkiDir = KubernetesDir + "/pki";
    public const string EtcdPkiDir = PkiDir + "/etcd";
    public const string BinDir = "/usr/local/bin";
    public const string EtcdDataDir = "/var/lib/etcd";

    public const string CaCert = PkiDir + "/ca.crt";
    public const string CaKey = PkiDir + "/ca.key";
    public const string ApiServerCert = PkiDir + "/apiserver.crt";
    public const string ApiServerKey = PkiDir + "/apiserver.key";
    public const string ApiServerKubeletClientCert = PkiDir + "/apiserver-kubelet-client.crt";
    public const string ApiServerKubeletClientKey = PkiDir + "/apiserver-kubelet-client.key";
    public const string ApiServerEtcdClientCert = PkiDir + "/apiserver-etcd-client.crt";
    public const string ApiServerEtcdClientKey = PkiDir + "/apiserver-etcd-client.key";
    public const string ServiceAccountPublicKey = PkiDir + "/sa.pub";
    public const string ServiceAccountPrivateKey = PkiDir + "/sa.key";
    public const string FrontProxyCaCert = PkiDir + "/front-proxy-ca.crt";
    public const string FrontProxyClientCert = PkiDir + "/front-proxy-client.crt";
    public const string FrontProxyClientKey = PkiDir + "/front-proxy-client.key";

    public const string EtcdCaCert = EtcdPkiDir + "/ca.crt";
    public const string EtcdServerCert = EtcdPkiDir + "/server.crt";
    public const string EtcdServerKey = EtcdPkiDir + "/server.key";
    public const string EtcdPeerCert = EtcdPkiDir + "/peer.crt";
    public const string EtcdPeerKey = EtcdPkiDir + "/peer.key";

    public const string ControllerManagerKubeconfig = KubernetesDir + "/controller-manager.conf";
    public const string SchedulerKubeconfig = KubernetesDir + "/scheduler.conf";

    /// <summary>Bootstrap's audit policy (kubeadm has none).</summary>
    public const string AuditPolicy = KubernetesDir + "/audit-policy.yaml";

    /// <summary>Bootstrap's encryption-at-rest configuration; holds the key, so mode 0600.</summary>
    public const string EncryptionConfig = KubernetesDir + "/encryption-config.yaml";

    public const string AuditLog = "/var/log/kubernetes/audit/audit.log";

    public const int ApiServerPort = 6443;
    public const int EtcdClientPort = 2379;
    public const int EtcdPeerPort = 2380;
    public const int EtcdMetricsPort = 2381;
}
