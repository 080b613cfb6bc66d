using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary>
/// The files a node gets besides credentials, with kubeadm's paths: containerd's configuration; the cluster CA
/// (kubelets check client certificates against it), the KubeletConfiguration, the kernel settings it requires
/// (a sysctl.d drop-in) and the kubelet unit; and kube-proxy's configuration, kubeconfig and unit. Pure. (The pod
/// network's files depend on the Node's allocated pod range: <see cref="PodNetworkPhase"/>.)
/// </summary>
internal static class NodeInstallFiles
{
    private const int Public = 0b110_100_100;
    private const int Secret = 0b110_000_000;

    public static IReadOnlyList<DesiredFile> Containerd(ClusterConfig config, NodeFiles files, bool restrictOomScoreAdj = false)
    {
        ArgumentNullException.ThrowIfNull(files);
        return [DesiredFile.FromText(new FileSpec(NodeLayout.ContainerdConfig, Public), files.ContainerdConfig(config, restrictOomScoreAdj))];
    }

    /// <param name="amazonEc2">The host is an EC2 instance (<see cref="InstanceMetadata"/>).</param>
    public static IReadOnlyList<DesiredFile> Kubelet(InstallMaterial material, NodeFiles files, HostSpec host, bool amazonEc2)
    {
        ArgumentNullException.ThrowIfNull(material);
        ArgumentNullException.ThrowIfNull(files);
        var config = material.Config;
        return
        [
            DesiredFile.FromBytes(new FileSpec(NodeLayout.CaCert, Public), material.StateFile("pki/ca.crt")),
            DesiredFile.FromText(new FileSpec(NodeLayout.KubeletConfig, Public), KubeletConfiguration.ToYaml(config)),
            DesiredFile.FromText(new FileSpec(KernelTunables.DropInPath, Public), files.KubeletSysctl(config)),
            DesiredFile.FromText(new FileSpec(InstallFiles.UnitPath("kubelet"), Public), files.KubeletUnit(config, host, amazonEc2)),
        ];
    }

    /// <summary>The bootstrap kubeconfig of a joining kubelet. Holds the token: mode 0600.</summary>
    public static DesiredFile BootstrapKubeconfig(InstallMaterial material, BootstrapToken token)
    {
        ArgumentNullException.ThrowIfNull(material);
        ArgumentNullException.ThrowIfNull(token);
        return DesiredFile.FromText(
            new FileSpec(NodeLayout.BootstrapKubeletKubeconfig, Secret),
            TokenKubeconfig.Build(material.Config, ApiObjectsPhase.CaPem(material), "tls-bootstrap-token-user", token.Value));
    }

    /// <summary>kube-proxy's files; its kubeconfig carries the kube-proxy ServiceAccount's token (mode 0600).</summary>
    public static IReadOnlyList<DesiredFile> KubeProxy(InstallMaterial material, NodeFiles files, HostSpec host, string serviceAccountToken, bool canSetConntrackMax)
    {
        ArgumentNullException.ThrowIfNull(material);
        ArgumentNullException.ThrowIfNull(files);
        var config = material.Config;
        return
        [
            DesiredFile.FromText(new FileSpec(NodeLayout.KubeProxyConfig, Public), KubeProxyConfiguration.ForHost(config, canSetConntrackMax)),
            DesiredFile.FromText(
                new FileSpec(NodeLayout.KubeProxyKubeconfig, Secret),
                TokenKubeconfig.Build(config, ApiObjectsPhase.CaPem(material), KubeadmObjectNames.KubeProxyName, serviceAccountToken)),
            DesiredFile.FromText(new FileSpec(InstallFiles.UnitPath("kube-proxy"), Public), files.KubeProxyUnit(config, host)),
        ];
    }
}
