namespace Bootstrap.Core.Config;

/// <summary>
/// Where the Kubernetes and etcd binaries, and any container image archives, come from (<c>spec.artifacts</c>):
/// exactly one of a local directory on the workstation or an HTTP(S) base URL with a sha256 digest per file.
/// </summary>
public sealed record ArtifactsSpec
{
    /// <summary>The files every cluster needs, by name.</summary>
    public static IReadOnlyList<string> RequiredFiles { get; } =
    [
        "etcd", "etcdctl", "kube-apiserver", "kube-controller-manager", "kube-proxy", "kube-scheduler", "kubectl", "kubelet",
    ];

    /// <summary>An absolute directory on the workstation holding the files; null in URL mode.</summary>
    public string? Directory { get; init; }

    /// <summary>The URL each file name is appended to; null in directory mode. Ends with a slash.</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>The files of etcd, which may come from their own source (<c>spec.artifacts.etcd</c>) so etcd can move separately from Kubernetes.</summary>
    public static IReadOnlyList<string> EtcdFiles { get; } = ["etcd", "etcdctl"];

    /// <summary><c>spec.artifacts.etcd</c>: where etcd and etcdctl come from instead (same fields, no images); null when from this source.</summary>
    public ArtifactsSpec? Etcd { get; init; }

    /// <summary>File name → lowercase hex sha256. Required for every <see cref="RequiredFiles"/> entry and every image in URL mode; optional with a directory.</summary>
    public required IReadOnlyDictionary<string, string> Sha256 { get; init; }

    /// <summary>
    /// File names of container image archives (OCI image layouts or <c>docker save</c> output, as tar, optionally
    /// gzipped) every node imports into containerd before its kubelet starts; digests as for the binaries.
    /// </summary>
    public IReadOnlyList<string> Images { get; init; } = [];
}
