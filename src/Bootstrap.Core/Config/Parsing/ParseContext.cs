using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Bootstrap.Core.Config.Parsing;

/// <summary>What readers share during one load: the diagnostics and how to resolve relative paths.</summary>
internal sealed class ParseContext(DiagnosticBag diagnostics, string baseDirectory, string homeDirectory)
{
    private readonly Dictionary<string, Mark> positions = new(StringComparer.Ordinal);

    public DiagnosticBag Diagnostics { get; } = diagnostics;

    public string HomeDirectory { get; } = homeDirectory;

    /// <summary>Remembers where the node of a field path starts, for checks that run after reading.</summary>
    public void Remember(string path, YamlNode node) => positions.TryAdd(path, node.Start);

    /// <summary>Where <paramref name="path"/> (or, when it was never read, its nearest parent) starts.</summary>
    public Mark At(string path)
    {
        var current = path;
        while (current.Length > 0)
        {
            if (positions.TryGetValue(current, out var mark))
            {
                return mark;
            }

            var cut = Math.Max(current.LastIndexOf('.'), current.LastIndexOf('['));
            current = cut > 0 ? current[..cut] : string.Empty;
        }

        return positions.TryGetValue(string.Empty, out var root) ? root : Mark.Empty;
    }

    public void ErrorAt(string path, string message) => Diagnostics.Error(At(path), path, message);

    public void WarningAt(string path, string message) => Diagnostics.Warning(At(path), path, message);

    public void Error(YamlNode node, string path, string message) => Diagnostics.Error(node.Start, path, message);

    public void Error(Mark at, string path, string message) => Diagnostics.Error(at, path, message);

    public void Warning(YamlNode node, string path, string message) => Diagnostics.Warning(node.Start, path, message);

    /// <summary>
    /// Makes a path from the cluster file absolute: <c>~/x</c> is under the home directory, a
    /// relative path is relative to the directory of the cluster file.
    /// </summary>
    public string ResolvePath(string path)
    {
        if (path == "~")
        {
            return HomeDirectory;
        }

        if (path.StartsWith("~/", StringComparison.Ordinal))
        {
            return System.IO.Path.GetFullPath(System.IO.Path.Combine(HomeDirectory, path[2..]));
        }

        return System.IO.Path.GetFullPath(path, baseDirectory);
    }
}
