using System.Text.Json;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Images;

/// <summary>
/// containerd's image store as the kubelet sees it (the CRI uses the <c>k8s.io</c> namespace), through Debian's
/// <c>ctr</c>: the listing, a manifest's configuration digest, and the import of an archive.
/// </summary>
internal static class ContainerdImages
{
    /// <summary>The namespace of containerd's CRI plugin: the images the kubelet can run.</summary>
    public const string Namespace = "k8s.io";

    public static RemoteCommand List() => new(["ctr", "--namespace", Namespace, "images", "list"], sudo: true);

    /// <summary>The blob <paramref name="digest"/> (a manifest) from containerd's content store.</summary>
    public static RemoteCommand Content(string digest) => new(["ctr", "--namespace", Namespace, "content", "get", digest], sudo: true);

    /// <summary>Imports an archive already on the host (unpacked into the default snapshotter, as the CRI expects).</summary>
    public static RemoteCommand Import(string path) => new(["ctr", "--namespace", Namespace, "images", "import", path], sudo: true);

    /// <summary>
    /// The images of <c>ctr images list</c>, by name. Its columns are REF, TYPE, DIGEST, SIZE, PLATFORMS, LABELS, the
    /// first three without spaces; the header line is skipped.
    /// </summary>
    public static IReadOnlyDictionary<string, HostImage> Parse(string listing)
    {
        ArgumentNullException.ThrowIfNull(listing);
        var images = new Dictionary<string, HostImage>(StringComparer.Ordinal);
        foreach (var line in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var columns = line.Split([' ', '\t'], 4, StringSplitOptions.RemoveEmptyEntries);
            if (columns.Length < 3 || (columns[0] == "REF" && columns[1] == "TYPE") || !columns[2].StartsWith("sha256:", StringComparison.Ordinal))
            {
                continue;
            }

            images[columns[0]] = new HostImage(columns[0], columns[1], columns[2]);
        }

        return images;
    }

    /// <summary>The <c>config.digest</c> of an image manifest; null when the JSON is not a single image's manifest.</summary>
    public static string? ConfigDigest(string manifest)
    {
        try
        {
            using var document = JsonDocument.Parse(manifest);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("config", out var config) && config.ValueKind == JsonValueKind.Object
                && config.TryGetProperty("digest", out var digest) && digest.ValueKind == JsonValueKind.String
                ? digest.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
