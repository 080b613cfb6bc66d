using Bootstrap.Core.Config;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// The hosts that join the cluster as Kubernetes nodes: every worker, and the control-plane hosts unless
/// <see cref="ControlPlaneSpec.RunKubelet"/> is false. Load balancers and dedicated etcd hosts never do.
/// </summary>
internal static class ClusterNodes
{
    public static IReadOnlyList<HostSpec> Of(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Hosts.Where(h => IsNode(config, h)).ToArray();
    }

    public static bool IsNode(ClusterConfig config, HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(host);
        return host.HasRole(HostRole.Worker) || (host.HasRole(HostRole.ControlPlane) && config.ControlPlane.RunKubelet);
    }
}
