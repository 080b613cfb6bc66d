using Bootstrap.Core.Images;
using Bootstrap.Core.Install;

namespace Bootstrap.Core.Tests.Images;

public sealed class ImageArchiveReaderTests
{
    private static Task<ImageArchiveContents> ReadAsync(byte[] archive) =>
        ImageArchiveReader.ReadAsync(new MemoryStream(archive), "image.tar", CancellationToken.None);

    [Fact]
    public async Task An_oci_layout_names_its_image_by_containerds_annotation_and_is_known_by_its_manifest_digest()
    {
        var contents = await ReadAsync(TestArchives.Oci("""
            "io.containerd.image.name":"k8s.gcr.io/pause:3.2","org.opencontainers.image.ref.name":"3.2"
            """));

        Assert.Equal(ImageArchiveFormat.Oci, contents.Format);
        var image = Assert.Single(contents.Images);
        Assert.Equal("k8s.gcr.io/pause:3.2", image.Name);
        Assert.Equal(TestArchives.ManifestDigest, image.Digest);
        Assert.Null(image.ConfigDigest);
    }

    [Fact]
    public async Task A_full_reference_in_the_oci_ref_name_is_the_name_containerd_imports()
    {
        var contents = await ReadAsync(TestArchives.Oci("""
            "org.opencontainers.image.ref.name":"registry.example.com/app:1.0"
            """));

        Assert.Equal("registry.example.com/app:1.0", Assert.Single(contents.Images).Name);
    }

    [Fact]
    public async Task An_oci_image_named_only_by_its_tag_is_refused_saying_which_annotation_to_set()
    {
        var error = await Assert.ThrowsAsync<ArtifactException>(() => ReadAsync(TestArchives.Oci("""
            "org.opencontainers.image.ref.name":"3.2"
            """)));

        Assert.Contains($"image.tar: the image {TestArchives.ManifestDigest} has no name containerd would import it under", error.Message, StringComparison.Ordinal);
        Assert.Contains("io.containerd.image.name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_docker_archive_names_its_images_as_docker_normalizes_them_and_is_known_by_its_configuration()
    {
        var contents = await ReadAsync(TestArchives.Docker("busybox:1.36", "registry.example.com:5000/team/app:2"));

        Assert.Equal(ImageArchiveFormat.Docker, contents.Format);
        Assert.Equal(["docker.io/library/busybox:1.36", "registry.example.com:5000/team/app:2"], contents.Images.Select(i => i.Name));
        Assert.All(contents.Images, i => Assert.Equal("sha256:" + TestArchives.ConfigHex, i.ConfigDigest));
        Assert.All(contents.Images, i => Assert.Null(i.Digest));
    }

    [Fact]
    public async Task Manifest_json_wins_over_an_index_json_beside_it_as_in_containerds_importer()
    {
        var both = TestArchives.Tar(
            ("oci-layout", "{}"),
            ("index.json", """{"manifests":[]}"""),
            ("manifest.json", $$"""[{"Config":"blobs/sha256/{{TestArchives.ConfigHex}}","RepoTags":["app:1"]}]"""));

        var contents = await ReadAsync(both);

        Assert.Equal(ImageArchiveFormat.Docker, contents.Format);
        Assert.Equal("docker.io/library/app:1", Assert.Single(contents.Images).Name);
    }

    [Fact]
    public async Task A_docker_image_without_tags_is_refused()
    {
        var error = await Assert.ThrowsAsync<ArtifactException>(() => ReadAsync(TestArchives.Docker()));

        Assert.Contains("has no RepoTags", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tar_that_is_no_image_archive_and_bytes_that_are_no_tar_are_refused()
    {
        var plain = await Assert.ThrowsAsync<ArtifactException>(() => ReadAsync(TestArchives.Tar(("README", "hello"))));
        var garbage = await Assert.ThrowsAsync<ArtifactException>(() => ReadAsync(Enumerable.Repeat((byte)0x41, 2048).ToArray()));

        Assert.Contains("image.tar is not an image archive", plain.Message, StringComparison.Ordinal);
        Assert.Contains("image.tar", garbage.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("busybox", "docker.io/library/busybox:latest")]
    [InlineData("busybox:1.36", "docker.io/library/busybox:1.36")]
    [InlineData("team/app", "docker.io/team/app:latest")]
    [InlineData("localhost/app:1", "localhost/app:1")]
    [InlineData("registry:5000/app", "registry:5000/app:latest")]
    [InlineData("quay.io/org/app:v2", "quay.io/org/app:v2")]
    [InlineData("app@sha256:abc", "docker.io/library/app@sha256:abc")]
    public void Docker_references_are_normalized_as_docker_does(string reference, string normalized) =>
        Assert.Equal(normalized, ImageArchiveReader.NormalizeDockerReference(reference));
}
