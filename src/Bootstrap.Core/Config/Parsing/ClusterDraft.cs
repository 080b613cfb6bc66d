using System.Text.Json;

namespace Bootstrap.Core.Config.Parsing;

/// <summary>
/// Everything read from a cluster file before the cross-field rules run. A null section was
/// missing or invalid (and reported), so rules that need it are skipped instead of piling up
/// follow-on errors.
/// </summary>
internal sealed record ClusterDraft
{
    public string? Name { get; init; }

    public KubernetesVersion? KubernetesVersion { get; init; }

    /// <summary>The endpoint as written; Host is empty when not written. Null when invalid.</summary>
    public ControlPlaneEndpoint? Endpoint { get; init; }

    public NetworkingSpec? Networking { get; init; }

    public LoadBalancerSpec? LoadBalancer { get; init; }

    public EtcdSpec? Etcd { get; init; }

    public ArtifactsSpec? Artifacts { get; init; }

    public SshFields? Ssh { get; init; }

    public IReadOnlyList<HostDraft>? Hosts { get; init; }

    public JsonElement? KubeletConfigPatch { get; init; }

    public ControlPlaneSpec? ControlPlane { get; init; }

    public KubeProxySpec? KubeProxy { get; init; }

    public IReadOnlyList<string>? CertSANs { get; init; }

    public ExtraArgs? ExtraArgs { get; init; }

    public CertificatesSpec? Certificates { get; init; }

    public string? ImageRepository { get; init; }

    public AddonsSpec? Addons { get; init; }

    /// <summary>Absolute; null when not written (the default applies) or invalid.</summary>
    public string? StateDirectory { get; init; }
}
