namespace Bootstrap.Core.Kubernetes;

/// <summary>Where kubelet, kube-proxy, containerd and CNI files live on every node: kubeadm v1.20's paths, Debian's CNI plugins.</summary>
internal static class NodeLayout
{
    public const string KubernetesDir = "/etc/kubernetes";
    public const string BinDir = "/usr/local/bin";
    public const string CaCert = KubernetesDir + "/pki/ca.crt";
    public const string CertificatesDir = KubernetesDir + "/pki";
    public const string StaticPodDir = KubernetesDir + "/manifests";

    public const string BootstrapKubeletKubeconfig = KubernetesDir + "/bootstrap-kubelet.conf";
    public const string KubeletKubeconfig = KubernetesDir + "/kubelet.conf";
    public const string KubeletDir = "/var/lib/kubelet";
    public const string KubeletConfig = KubeletDir + "/config.yaml";

    public const string KubeProxyDir = "/var/lib/kube-proxy";
    public const string KubeProxyConfig = KubeProxyDir + "/config.conf";
    public const string KubeProxyKubeconfig = KubeProxyDir + "/kubeconfig.conf";

    public const string ContainerdSocket = "/run/containerd/containerd.sock";
    public const string ContainerdEndpoint = "unix://" + ContainerdSocket;
    public const string ContainerdConfig = "/etc/containerd/config.toml";

    /// <summary>Debian's containernetworking-plugins install here, not in /opt/cni/bin.</summary>
    public const string CniBinDir = "/usr/lib/cni";
    public const string CniConfDir = "/etc/cni/net.d";
    public const string CniConflist = CniConfDir + "/10-bootstrap-bridge.conflist";

    /// <summary>kubeadm's kube-proxy kubeconfig inside its pod, kept in the kube-proxy ConfigMap for kubeadm compatibility.</summary>
    public const string ServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";
}
