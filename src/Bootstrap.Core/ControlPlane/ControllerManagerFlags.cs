using Bootstrap.Core.Config;

namespace Bootstrap.Core.ControlPlane;

/// <summary>
/// kube-controller-manager's flags: kubeadm v1.20's (<c>getControllerManagerCommand</c>, with the pod
/// subnet always set so node CIDRs are allocated) plus profiling off.
/// </summary>
internal static class ControllerManagerFlags
{
    public static IReadOnlyList<string> Build(ClusterConfig config) =>
        new FlagSet(ControlPlaneComponent.KubeControllerManager, config.KubernetesVersion)
            .Add("allocate-node-cidrs", true)
            .Add("authentication-kubeconfig", KubeadmLayout.ControllerManagerKubeconfig)
            .Add("authorization-kubeconfig", KubeadmLayout.ControllerManagerKubeconfig)
            .Add("bind-address", "127.0.0.1")
            .Add("client-ca-file", KubeadmLayout.CaCert)
            .Add("cluster-cidr", config.Networking.PodSubnet.ToString())
            .Add("cluster-name", config.Name)
            .Add("cluster-signing-cert-file", KubeadmLayout.CaCert)
            .Add("cluster-signing-key-file", KubeadmLayout.CaKey)
            .Add("controllers", "*,bootstrapsigner,tokencleaner")
            .Add("kubeconfig", KubeadmLayout.ControllerManagerKubeconfig)
            .Add("leader-elect", true)
            .Add("port", 0)
            .Add("requestheader-client-ca-file", KubeadmLayout.FrontProxyCaCert)
            .Add("root-ca-file", KubeadmLayout.CaCert)
            .Add("service-account-private-key-file", KubeadmLayout.ServiceAccountPrivateKey)
            .Add("service-cluster-ip-range", config.Networking.ServiceSubnet.ToString())
            .Add("use-service-account-credentials", true)
            .Add("profiling", false)
            .ToArguments(config.ExtraArgs.ControllerManager);
}
