using YamlDotNet.RepresentationModel;

namespace Bootstrap.Core.Config.Parsing;

/// <summary>Reads <c>spec.artifacts</c>: a local directory, or a base URL with a sha256 per file; and the image archives among them.</summary>
internal static class ArtifactsReader
{
    private const string ImageExpectation = "file names of image archives in the directory or under baseUrl (e.g. pause-3.2.oci.tar)";
    private static readonly string[] Keys = ["directory", "baseUrl", "sha256", "etcd", "images"];
    private static readonly string[] EtcdKeys = ["directory", "baseUrl", "sha256"];

    public static ArtifactsSpec? Read(MappingReader spec)
    {
        if (spec.Required("artifacts", "a mapping with directory, or baseUrl and sha256") is not { } node
            || MappingReader.Open(spec.Context, node, spec.PathOf("artifacts"), Keys) is not { } map)
        {
            return null;
        }

        // etcd and etcdctl may come from their own source, so etcd can move separately from Kubernetes.
        if (map.Get("etcd") is not { } etcdNode)
        {
            return ReadSource(map, ArtifactsSpec.RequiredFiles);
        }

        var etcd = MappingReader.Open(spec.Context, etcdNode, map.PathOf("etcd"), EtcdKeys) is { } etcdMap ? ReadSource(etcdMap, ArtifactsSpec.EtcdFiles) : null;
        var rest = ReadSource(map, [.. ArtifactsSpec.RequiredFiles.Except(ArtifactsSpec.EtcdFiles)]);
        return etcd is null || rest is null ? null : rest with { Etcd = etcd };
    }

    /// <summary>One source: a directory, or a base URL with a sha256 for each of <paramref name="required"/>.</summary>
    private static ArtifactsSpec? ReadSource(MappingReader map, IReadOnlyList<string> required)
    {
        var context = map.Context;

        var directory = map.String("directory");
        var baseUrlText = map.String("baseUrl");
        if (map.Get("directory") is null && map.Get("baseUrl") is null)
        {
            context.Error(map.Start, map.Path, "expected exactly one of \"directory\" (a local directory) or \"baseUrl\" (with sha256 per file); found neither");
            return null;
        }

        if (map.Get("directory") is not null && map.Get("baseUrl") is { } both)
        {
            context.Error(both, map.PathOf("baseUrl"), "\"directory\" and \"baseUrl\" are exclusive; expected exactly one of them");
            return null;
        }

        var images = Images(map);
        if (directory is not null)
        {
            return Digests(map, required: null) is { } localDigests && images is not null
                ? new ArtifactsSpec { Directory = context.ResolvePath(directory), Sha256 = localDigests, Images = images }
                : null;
        }

        Uri? url = null;
        if (baseUrlText is not null
            && (!Uri.TryCreate(baseUrlText, UriKind.Absolute, out url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
                || url.Query.Length > 0 || url.Fragment.Length > 0))
        {
            context.Error(map.Get("baseUrl")!, map.PathOf("baseUrl"), $"expected an http:// or https:// URL without query or fragment; found {InputQuote.Quote(baseUrlText)}");
            url = null;
        }

        if (url is not null && url.Scheme == Uri.UriSchemeHttp)
        {
            context.Warning(map.Get("baseUrl")!, map.PathOf("baseUrl"),
                "plain http: downloads are not encrypted and anyone on the path can see or swap them; a swapped file is still refused, since every file is checked against its sha256 here and on each host (use https:// to keep them private)");
        }

        var digests = Digests(map, required);
        if (url is null || digests is null || images is null)
        {
            return null;
        }

        var undigested = images.Where(i => !digests.ContainsKey(i)).ToArray();
        if (undigested.Length > 0)
        {
            context.Error(map.Get("images")!, map.PathOf("images"), $"with baseUrl every image archive needs a sha256 in {map.PathOf("sha256")}; missing: {string.Join(", ", undigested)}");
            return null;
        }

        var withSlash = url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
        return new ArtifactsSpec { BaseUrl = withSlash, Sha256 = digests, Images = images };
    }

    /// <summary><c>images</c>: distinct file names (no '/'), none of them a binary's name.</summary>
    private static string[]? Images(MappingReader map)
    {
        var items = map.StringList("images", ImageExpectation);
        if (items is null)
        {
            return null;
        }

        var ok = true;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, node, path) in items)
        {
            if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name is "." or ".." || name == Install.ArtifactSource.ChecksumFile
                || ArtifactsSpec.RequiredFiles.Contains(name, StringComparer.Ordinal))
            {
                map.Context.Error(node, path, $"expected the file name of an image archive (no '/', not a binary or {Install.ArtifactSource.ChecksumFile}); found {InputQuote.Quote(name)}");
                ok = false;
            }
            else if (!seen.Add(name))
            {
                map.Context.Error(node, path, $"{InputQuote.Quote(name)} is listed twice; expected each image archive once");
                ok = false;
            }
        }

        // StringList leaves out (with an error) items that are not scalars.
        var written = (map.Get("images") as YamlSequenceNode)?.Children.Count ?? 0;
        return ok && items.Count == written ? [.. items.Select(i => i.Value)] : null;
    }

    /// <param name="required">The files that need a digest (URL mode); null when none does (a directory may hold SHA256SUMS).</param>
    private static Dictionary<string, string>? Digests(MappingReader map, IReadOnlyList<string>? required)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var path = map.PathOf("sha256");
        if (map.Get("sha256") is not { } node)
        {
            if (required is not null)
            {
                map.Required("sha256", $"a mapping of file name to sha256 for {string.Join(", ", required)}");
                return null;
            }

            return result;
        }

        if (node is not YamlMappingNode mapping)
        {
            map.Context.Error(node, path, $"expected a mapping of file name to sha256 (64 hex digits); found {YamlNodes.Describe(node)}");
            return null;
        }

        var ok = true;
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var name = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            var itemPath = path + "." + name;
            map.Context.Remember(itemPath, valueNode);
            if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
            {
                map.Context.Error(keyNode, itemPath, $"expected a file name without '/'; found {YamlNodes.Describe(keyNode)}");
                ok = false;
                continue;
            }

            if (valueNode is not YamlScalarNode { Value: { } digest } || !ScalarFormats.IsSha256Hex(digest))
            {
                map.Context.Error(valueNode, itemPath, $"expected a sha256 digest (64 hex digits); found {YamlNodes.Describe(valueNode)}");
                ok = false;
                continue;
            }

            result[name] = digest.ToLowerInvariant();
        }

        var missing = (required ?? []).Where(f => !result.ContainsKey(f)).ToArray();
        if (ok && missing.Length > 0)
        {
            map.Context.Error(node, path, $"with baseUrl every required file needs a sha256; missing: {string.Join(", ", missing)}");
            ok = false;
        }

        return ok ? result : null;
    }
}
