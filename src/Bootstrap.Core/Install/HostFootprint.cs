using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Install;

/// <summary>
/// Everything Bootstrap puts on a host, in one place, for taking it away again (<c>bootstrap reset</c>): the services it
/// runs (in the order to stop them), and the files and directories it wrote. OS packages and the etcd system user are
/// left alone.
/// </summary>
internal static class HostFootprint
{
    /// <summary>Stopping order: what depends on others first (kube-proxy and the kubelet before the API, the API before etcd).</summary>
    private static readonly string[] StopOrder =
    [
        "bootstrap-pod-network", "kube-proxy", "kubelet", "kube-scheduler", "kube-controller-manager", "kube-apiserver", "etcd", "keepalived", "haproxy", "containerd",
    ];

    /// <summary>The services Bootstrap runs on the host, in the order to stop them.</summary>
    public static IReadOnlyList<ServiceSpec> Services(ClusterConfig config, HostSpec host) =>
        [.. Run(config, host).OrderBy(s => Array.IndexOf(StopOrder, s.Component))];

    /// <summary>The files and directories Bootstrap wrote on the host that a reset removes (directories whole).</summary>
    public static IReadOnlyList<string> Paths(ClusterConfig config, HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(host);
        var paths = new List<string>();
        // The unit files Bootstrap writes are among the inputs of their services (Debian's own units are not).
        paths.AddRange(Run(config, host).SelectMany(s => s.Inputs).Where(i => i.StartsWith(InstallFiles.SystemdDir + "/", StringComparison.Ordinal)));
        if (host.HasRole(HostRole.ControlPlane) || config.EtcdMembers.Contains(host) || config.IsNode(host))
        {
            paths.Add(KubeadmLayout.KubernetesDir);
        }

        if (host.HasRole(HostRole.ControlPlane))
        {
            paths.Add(Path.GetDirectoryName(KubeadmLayout.AuditLog)!);
        }

        if (config.EtcdMembers.Contains(host))
        {
            paths.Add(KubeadmLayout.EtcdDataDir);
        }

        if (config.IsNode(host))
        {
            paths.AddRange([NodeLayout.KubeletDir, NodeLayout.KubeProxyDir, NodeLayout.CniConflist, NodeLayout.ContainerdConfig, CniStateDir]);
        }

        if (config.LoadBalancer.Type == LoadBalancerType.HaproxyKeepalived && host.HasRole(HostRole.LoadBalancer))
        {
            paths.AddRange([InstallFiles.HaproxyConfig, InstallFiles.KeepalivedConfig]);
        }

        paths.AddRange(InstallFiles.BinariesFor(config, host).Select(b => $"{KubeadmLayout.BinDir}/{b}"));
        // Bootstrap's own directory: the binaries it staged, and the manifest of the files it installed (every host has one).
        paths.Add(Path.GetDirectoryName(InstalledFilesManifest.DefaultPath)!);
        return paths;
    }

    /// <summary>The services of <see cref="ServiceCatalog.On"/>, and on a node the pod network's unit (there with <c>networking.cni: bridge</c>; a reset takes it away either way).</summary>
    private static IEnumerable<ServiceSpec> Run(ClusterConfig config, HostSpec host) =>
        config.IsNode(host) ? [.. ServiceCatalog.On(config, host), ServiceCatalog.PodNetwork()] : ServiceCatalog.On(config, host);

    /// <summary>Where the bridge CNI's host-local IPAM keeps its allocations.</summary>
    public const string CniStateDir = "/var/lib/cni";

    /// <summary>The bridge the CNI configuration creates for pods.</summary>
    public const string CniBridge = "cni0";
}
