using Bootstrap.Core.Config;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// The container images Bootstrap names, as kubeadm v1.20 names them (<c>images.GetPauseImage</c>,
/// <c>images.GetDNSImage</c>): under the cluster file's <see cref="ClusterConfig.ImageRepository"/>, with kubeadm
/// v1.20's tags.
/// </summary>
internal static class ClusterImages
{
    /// <summary>kubeadm v1.20's <c>PauseVersion</c>.</summary>
    public const string PauseTag = "3.2";

    /// <summary>kubeadm v1.20's <c>CoreDNSVersion</c>.</summary>
    public const string CoreDnsTag = "1.7.0";

    /// <summary>The sandbox image: containerd's <c>sandbox_image</c> and the kubelet's <c>--pod-infra-container-image</c>.</summary>
    public static string Pause(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return $"{config.ImageRepository}/pause:{PauseTag}";
    }

    public static string CoreDns(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return $"{config.ImageRepository}/coredns:{CoreDnsTag}";
    }
}
