using Bootstrap.Core.Config;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// The kubelet's command-line flags on one host, sorted by name: the kubeconfig and config flags of
/// kubeadm v1.20's kubelet drop-in, the flags <c>buildKubeletArgMapCommon</c> (phases/kubelet/flags.go)
/// sets for a CRI runtime (with the sandbox image), the node's address and name, and on control-plane hosts the taint kubeadm
/// registers them with. Everything else is in <see cref="KubeletConfiguration"/>.
/// </summary>
internal static class KubeletFlags
{
    public const string ControlPlaneTaint = "node-role.kubernetes.io/master:NoSchedule";

    public static IReadOnlyList<string> Build(ClusterConfig config, HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(host);
        if (!config.IsNode(host))
        {
            throw new ArgumentException($"host {host.Name} runs no kubelet: it is not a node of cluster {config.Name}", nameof(host));
        }

        var flags = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["bootstrap-kubeconfig"] = NodeLayout.BootstrapKubeletKubeconfig,
            ["config"] = NodeLayout.KubeletConfig,
            ["container-runtime"] = "remote",
            ["container-runtime-endpoint"] = NodeLayout.ContainerdEndpoint,
            ["hostname-override"] = host.Name,
            ["kubeconfig"] = NodeLayout.KubeletKubeconfig,
            ["node-ip"] = host.Address.ToString(),
            ["pod-infra-container-image"] = ClusterImages.Pause(config),
        };
        if (host.HasRole(HostRole.ControlPlane))
        {
            flags["register-with-taints"] = ControlPlaneTaint;
        }

        foreach (var (name, value) in config.ExtraArgs.Kubelet)
        {
            flags[name] = value;
        }

        return flags.Select(f => $"--{f.Key}={f.Value}").ToArray();
    }
}
