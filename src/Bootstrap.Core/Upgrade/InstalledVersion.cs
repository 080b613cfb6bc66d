using Bootstrap.Core.Config;

namespace Bootstrap.Core.Upgrade;

/// <summary>One binary on one host: the version it reports and its sha256 now, and what the cluster file wants.</summary>
/// <param name="Current">Null when the binary is missing or reports no version.</param>
/// <param name="Target">Null when the cluster file does not say (an etcd without <c>spec.etcd.version</c>).</param>
internal sealed record InstalledVersion(string Host, string Component, KubernetesVersion? Current, string? CurrentSha256, KubernetesVersion? Target, string TargetSha256)
{
    /// <summary>The binary differs from the artifact (by content).</summary>
    public bool Changes => !string.Equals(CurrentSha256, TargetSha256, StringComparison.OrdinalIgnoreCase);

    public bool IsEtcd => Component is "etcd" or "etcdctl";

    /// <summary>A version as this component writes its own: etcd without the leading v (3.5.16), Kubernetes with it (v1.20.2).</summary>
    public string Show(KubernetesVersion? version) => version is null ? "missing" : IsEtcd ? EtcdVersion(version) : version.ToString();

    /// <summary>An etcd release as etcd writes it (3.5.16).</summary>
    public static string EtcdVersion(KubernetesVersion version) => version?.ToString()[1..] ?? throw new ArgumentNullException(nameof(version));
}
