namespace Bootstrap.Core.Images;

/// <summary>What kind of tar an image archive is, as containerd's importer tells them apart.</summary>
internal enum ImageArchiveFormat
{
    /// <summary>An OCI image layout (<c>oci-layout</c>, <c>index.json</c>, <c>blobs/</c>): buildx, skopeo, <c>ctr images export</c>.</summary>
    Oci,

    /// <summary><c>docker save</c> output (<c>manifest.json</c> with RepoTags); containerd imports it in preference to an index.json beside it.</summary>
    Docker,
}
