using Bootstrap.Core.Images;

namespace Bootstrap.Core.Tests.Images;

public sealed class ContainerdImagesTests
{
    // `ctr --namespace k8s.io images list` of containerd 1.6 (Debian bookworm), tab-aligned columns.
    private const string Listing = """
        REF                                                                                                 TYPE                                       DIGEST                                                                  SIZE      PLATFORMS   LABELS                          
        k8s.gcr.io/pause:3.2                                                                                application/vnd.oci.image.manifest.v1+json sha256:3e93813c143af0de231bbfe8d3b3eefb10ad8bc17cdfae7d71cd220dbbcb2e3e 680.2 KiB linux/amd64 io.cri-containerd.image=managed 
        sha256:0eb997314cef221dc1b04cb6652f7c8d801667d4fb08d38a1dbdef022fbae954                             application/vnd.oci.image.manifest.v1+json sha256:3e93813c143af0de231bbfe8d3b3eefb10ad8bc17cdfae7d71cd220dbbcb2e3e 680.2 KiB linux/amd64 io.cri-containerd.image=managed 
        docker.io/library/app:1                                                                             application/vnd.docker.distribution.manifest.v2+json sha256:1111111111111111111111111111111111111111111111111111111111111111 2.0 MiB linux/amd64 -

        """;

    [Fact]
    public void The_listing_gives_each_image_its_name_media_type_and_digest()
    {
        var images = ContainerdImages.Parse(Listing);

        Assert.Equal(["docker.io/library/app:1", "k8s.gcr.io/pause:3.2", "sha256:0eb997314cef221dc1b04cb6652f7c8d801667d4fb08d38a1dbdef022fbae954"], images.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new HostImage("k8s.gcr.io/pause:3.2", "application/vnd.oci.image.manifest.v1+json", "sha256:3e93813c143af0de231bbfe8d3b3eefb10ad8bc17cdfae7d71cd220dbbcb2e3e"), images["k8s.gcr.io/pause:3.2"]);
    }

    [Fact]
    public void An_empty_store_lists_only_the_header()
    {
        Assert.Empty(ContainerdImages.Parse("REF TYPE DIGEST SIZE PLATFORMS LABELS \n"));
    }

    [Fact]
    public void A_manifest_gives_its_configuration_digest_and_anything_else_none()
    {
        Assert.Equal("sha256:abc", ContainerdImages.ConfigDigest("""{"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:abc","size":2},"layers":[]}"""));
        Assert.Null(ContainerdImages.ConfigDigest("""{"schemaVersion":2,"manifests":[]}"""));
        Assert.Null(ContainerdImages.ConfigDigest("ctr: content digest sha256:abc: not found"));
    }

    [Fact]
    public void Images_are_read_and_imported_in_the_kubelets_namespace_as_root()
    {
        Assert.Equal(["ctr", "--namespace", "k8s.io", "images", "list"], ContainerdImages.List().Argv);
        Assert.Equal(["ctr", "--namespace", "k8s.io", "images", "import", "/var/tmp/x.tar"], ContainerdImages.Import("/var/tmp/x.tar").Argv);
        Assert.True(ContainerdImages.Import("/var/tmp/x.tar").Sudo);
    }
}
