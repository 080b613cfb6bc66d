using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary>The services of a node, with the files each reads and its health check on the host.</summary>
internal static class NodeServices
{
    public static ServiceSpec Containerd() => new()
    {
        Unit = "containerd.service",
        Component = "containerd",
        Inputs = [NodeLayout.ContainerdConfig],
        Health = new RemoteCommand(["ctr", "--address", NodeLayout.ContainerdSocket, "version"], sudo: true),
        HealthTimeout = TimeSpan.FromMinutes(1),
    };

    /// <param name="joining">The kubelet must (re)start on a freshly written bootstrap kubeconfig.</param>
    public static ServiceSpec Kubelet(bool joining) => new()
    {
        Unit = "kubelet.service",
        Component = "kubelet",
        Inputs =
        [
            InstallFiles.UnitPath("kubelet"), $"{NodeLayout.BinDir}/kubelet", NodeLayout.KubeletConfig, NodeLayout.CaCert,
            .. joining ? [NodeLayout.BootstrapKubeletKubeconfig] : Array.Empty<string>(),
        ],
        Health = LocalHealthz(10248),
        HealthTimeout = TimeSpan.FromMinutes(2),
    };

    public static ServiceSpec KubeProxy() => new()
    {
        Unit = "kube-proxy.service",
        Component = "kube-proxy",
        Inputs = [InstallFiles.UnitPath("kube-proxy"), $"{NodeLayout.BinDir}/kube-proxy", NodeLayout.KubeProxyConfig, NodeLayout.KubeProxyKubeconfig],
        Health = LocalHealthz(10256),
        HealthTimeout = TimeSpan.FromMinutes(1),
    };

    private static RemoteCommand LocalHealthz(int port) =>
        new(["curl", "--silent", "--show-error", "--fail", "--max-time", "5", $"http://127.0.0.1:{port}/healthz"]);
}
