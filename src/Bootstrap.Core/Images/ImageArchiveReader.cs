using System.Formats.Tar;
using System.Text.Json;
using Bootstrap.Core.Install;

namespace Bootstrap.Core.Images;

/// <summary>
/// Reads which images an archive holds, the way containerd's importer (<c>ctr images import</c>, containerd 1.6)
/// names them: from <c>manifest.json</c> when there is one (docker save; RepoTags normalized as docker does,
/// <c>busybox</c> → <c>docker.io/library/busybox:latest</c>), else from an OCI layout's <c>index.json</c>
/// (<c>io.containerd.image.name</c>, or <c>org.opencontainers.image.ref.name</c> when it is a full reference).
/// Only those small entries are kept in memory; the layers stream past.
/// </summary>
internal static class ImageArchiveReader
{
    public const string ContainerdNameAnnotation = "io.containerd.image.name";
    public const string OciRefNameAnnotation = "org.opencontainers.image.ref.name";

    private const int MaxIndexBytes = 4 << 20;

    /// <param name="tar">The archive, uncompressed; read to its end (so a hashing stream under it sees every byte).</param>
    /// <param name="file">The archive's name, for messages.</param>
    /// <exception cref="ArtifactException">Not an image archive, or an image in it has no name containerd would import it under.</exception>
    public static async Task<ImageArchiveContents> ReadAsync(Stream tar, string file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tar);
        byte[]? index = null;
        byte[]? manifest = null;
        var layout = false;
        try
        {
            var reader = new TarReader(tar, leaveOpen: true);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    switch (entry.Name.TrimStart('.', '/'))
                    {
                        case "index.json":
                            index = await SmallAsync(entry, file, cancellationToken).ConfigureAwait(false);
                            break;
                        case "manifest.json":
                            manifest = await SmallAsync(entry, file, cancellationToken).ConfigureAwait(false);
                            break;
                        case "oci-layout":
                            layout = true;
                            break;
                    }
                }
            }

            // The end-of-archive blocks and padding, so the stream is read to its end.
            await tar.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new ArtifactException($"the image archive {file} is not a readable tar: {e.Message}", e);
        }

        return manifest is not null ? new ImageArchiveContents(ImageArchiveFormat.Docker, Docker(manifest, file))
            : index is not null && layout ? new ImageArchiveContents(ImageArchiveFormat.Oci, Oci(index, file))
            : throw new ArtifactException(
                $"{file} is not an image archive: it has neither manifest.json (docker save) nor oci-layout with index.json (an OCI image layout)");
    }

    /// <summary>A reference as docker (and containerd's importer) normalizes it: a registry, a path and a tag.</summary>
    public static string NormalizeDockerReference(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        var name = at >= 0 ? reference[..at] : reference;
        var pinned = at >= 0 ? reference[at..] : string.Empty;
        var lastSlash = name.LastIndexOf('/');
        var colon = name.LastIndexOf(':');
        var tag = colon > lastSlash ? name[colon..] : string.Empty;
        name = colon > lastSlash ? name[..colon] : name;
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? string.Empty : name[..slash];
        var hasDomain = slash >= 0 && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost");
        if (!hasDomain)
        {
            name = "docker.io/" + (slash < 0 ? "library/" : string.Empty) + name;
        }

        // A digest pins the image; docker then drops the tag.
        return pinned.Length > 0 ? name + pinned : name + (tag.Length > 0 ? tag : ":latest");
    }

    private static async Task<byte[]> SmallAsync(TarEntry entry, string file, CancellationToken cancellationToken)
    {
        if (entry.Length > MaxIndexBytes || entry.DataStream is null)
        {
            throw new ArtifactException($"{file}: {entry.Name} is {entry.Length} bytes; an image index is at most {MaxIndexBytes} bytes");
        }

        using var copy = new MemoryStream();
        await entry.DataStream.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
        return copy.ToArray();
    }

    private static List<ArchivedImage> Oci(byte[] index, string file)
    {
        var images = new List<ArchivedImage>();
        foreach (var descriptor in Array(Parse(index, file, "index.json").RootElement, "manifests", file, "index.json"))
        {
            var digest = Text(descriptor, "digest") ?? throw new ArtifactException($"{file}: index.json has a manifest without a digest");
            var annotations = descriptor.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Object ? a : default;
            var name = Annotation(annotations, ContainerdNameAnnotation)
                ?? (Annotation(annotations, OciRefNameAnnotation) is { } refName && refName.AsSpan().IndexOfAny("/:@") >= 0 ? refName : null)
                ?? throw new ArtifactException(
                    $"{file}: the image {digest} has no name containerd would import it under: set the annotation {ContainerdNameAnnotation} "
                    + $"(or {OciRefNameAnnotation}) to its full reference, e.g. k8s.gcr.io/pause:3.2");
            images.Add(new ArchivedImage { Name = name, Digest = digest });
        }

        return images.Count > 0 ? images : throw new ArtifactException($"{file}: index.json lists no image");
    }

    private static List<ArchivedImage> Docker(byte[] manifest, string file)
    {
        var images = new List<ArchivedImage>();
        using var document = Parse(manifest, file, "manifest.json");
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new ArtifactException($"{file}: manifest.json is not a list of images");
        }

        foreach (var entry in document.RootElement.EnumerateArray())
        {
            var config = Text(entry, "Config") ?? throw new ArtifactException($"{file}: manifest.json has an image without Config");
            var hex = Path.GetFileNameWithoutExtension(config.Replace('\\', '/').Split('/')[^1]);
            if (hex.Length != 64 || !hex.All(char.IsAsciiHexDigitLower))
            {
                throw new ArtifactException($"{file}: manifest.json names the configuration {config}, which is not named by its sha256");
            }

            var tags = entry.TryGetProperty("RepoTags", out var t) && t.ValueKind == JsonValueKind.Array
                ? t.EnumerateArray().Select(x => x.GetString()).OfType<string>().ToList()
                : [];
            if (tags.Count == 0)
            {
                throw new ArtifactException($"{file}: the image sha256:{hex} has no RepoTags, so containerd would import it without a name; save it by name (docker save NAME:TAG)");
            }

            images.AddRange(tags.Select(tag => new ArchivedImage { Name = NormalizeDockerReference(tag), ConfigDigest = "sha256:" + hex }));
        }

        return images.Count > 0 ? images : throw new ArtifactException($"{file}: manifest.json lists no image");
    }

    private static JsonDocument Parse(byte[] json, string file, string entry)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ArtifactException($"{file}: {entry} is not valid JSON: {e.Message}", e);
        }
    }

    private static JsonElement.ArrayEnumerator Array(JsonElement element, string property, string file, string entry) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray()
            : throw new ArtifactException($"{file}: {entry} has no \"{property}\" list");

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Annotation(JsonElement annotations, string key) =>
        annotations.ValueKind == JsonValueKind.Object ? Text(annotations, key) : null;
}
