using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Bootstrap.Core.Tests.Images;

/// <summary>Image archives written in memory the way the tools that make them lay them out (only the entries the reader needs, plus a layer).</summary>
internal static class TestArchives
{
    public const string ManifestDigest = "sha256:3e93813c143af0de231bbfe8d3b3eefb10ad8bc17cdfae7d71cd220dbbcb2e3e";
    public const string ConfigHex = "0eb997314cef221dc1b04cb6652f7c8d801667d4fb08d38a1dbdef022fbae954";

    /// <summary>An OCI image layout whose one manifest carries <paramref name="annotations"/> (JSON members).</summary>
    public static byte[] Oci(string annotations) => Tar(
        ("oci-layout", """{"imageLayoutVersion":"1.0.0"}"""),
        ("blobs/sha256/" + ManifestDigest[7..], "{}"),
        ("index.json", """{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":""" + $"\"{ManifestDigest}\"" + ""","size":399,"annotations":{""" + annotations.Trim() + "}}]}"));

    /// <summary><c>docker save</c> output: manifest.json naming the configuration by its sha256.</summary>
    public static byte[] Docker(params string[] repoTags) => Tar(
        (ConfigHex + ".json", "{}"),
        ("layer/layer.tar", new string('x', 3000)),
        ("manifest.json", $$"""[{"Config":"{{ConfigHex}}.json","RepoTags":[{{string.Join(',', repoTags.Select(t => $"\"{t}\""))}}],"Layers":["layer/layer.tar"]}]"""));

    public static byte[] Tar(params (string Name, string Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });
            }
        }

        return buffer.ToArray();
    }

    public static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return buffer.ToArray();
    }
}
