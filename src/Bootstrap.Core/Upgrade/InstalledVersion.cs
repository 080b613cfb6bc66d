using Bootstrap.Core.Config;

namespace Bootstrap.Core.Upgrade;

/// <summary>One binary on one host: the version it reports and its sha256 now, and what the cluster file wants.</summary>
/// <param name="Current">Null when the binary is missing or reports no version.</param>
/// <param name="Target">Null when the cluster file does not say (an etcd without <c>spec.etcd.version</c>).</param>
internal sealed record InstalledVersion(string Host, string Component, KubernetesVersion? Current, string? CurrentSha256, KubernetesVersion? Target, string TargetSha256)
{
    /// <summary>The binary differs from the artifact (by content).</summary>
    public bool Changes => !string.Equals(CurrentSha256, TargetSha256, StringComparison.OrdinalIgnoreCase);
}
