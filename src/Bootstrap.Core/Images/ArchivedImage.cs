namespace Bootstrap.Core.Images;

/// <summary>
/// One image of an archive, as containerd will name and know it after <c>ctr images import</c>: by name, and by the
/// digest its image record points at (OCI layouts) or, for <c>docker save</c> archives, whose manifest containerd
/// writes itself on import, by the digest of the image's configuration (the image ID).
/// </summary>
internal sealed record ArchivedImage
{
    /// <summary>The full reference containerd imports it as, e.g. <c>k8s.gcr.io/pause:3.2</c>.</summary>
    public required string Name { get; init; }

    /// <summary><c>sha256:…</c> of the manifest or index (OCI layouts); null for docker archives.</summary>
    public string? Digest { get; init; }

    /// <summary><c>sha256:…</c> of the image configuration (docker archives); null for OCI layouts.</summary>
    public string? ConfigDigest { get; init; }

    /// <summary>The digest the comparison uses, for reports.</summary>
    public string Identity => Digest ?? ConfigDigest ?? string.Empty;
}
