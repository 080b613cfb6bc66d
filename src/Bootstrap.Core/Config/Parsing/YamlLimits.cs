using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Bootstrap.Core.Config.Parsing;

/// <summary>
/// Bounds on the shape of a cluster file, checked on YamlDotNet's event stream before the (recursive)
/// representation model is built from it: nesting depth, and the number of nodes with every alias counted
/// as the nodes it stands for (so an alias bomb is refused before anything expands it). No legitimate
/// cluster file comes near either bound; the deepest field is six levels down and a 1,000-host file has
/// about 10,000 nodes.
/// </summary>
internal static class YamlLimits
{
    /// <summary>Mappings and lists nested inside each other, counting the document's top mapping as 1.</summary>
    public const int MaxDepth = 64;

    /// <summary>Scalars, mappings and lists in the file, each alias counted as the nodes it stands for.</summary>
    public const int MaxNodes = 100_000;

    /// <summary>The message for input YamlDotNet's reader gives up on without a <see cref="YamlException"/>.</summary>
    public const string ReaderFailure = "invalid YAML after this point; look for an unclosed [ or {, or a stray quote (the YAML reader stopped without saying why)";

    /// <summary>
    /// Exceptions YamlDotNet's scanner throws on some malformed input instead of a <see cref="YamlException"/>
    /// (e.g. an InvalidOperationException for <c>a: [</c> followed by <c>c: x</c>): bad input, not a bug of ours.
    /// </summary>
    public static bool IsReaderFailure(Exception e) =>
        e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or FormatException or OverflowException;

    /// <summary>True when <paramref name="yaml"/> is within the bounds; otherwise records one error at the node that crossed one.</summary>
    /// <exception cref="YamlException">The text is not valid YAML (the caller reports it as the loader would).</exception>
    public static bool Check(string yaml, DiagnosticBag diagnostics)
    {
        var frames = new List<Frame>();
        var last = Mark.Empty;
        try
        {
            return Scan(yaml, diagnostics, frames, ref last);
        }
        catch (Exception e) when (IsReaderFailure(e))
        {
            diagnostics.Error(last, PathOf(frames), ReaderFailure);
            return false;
        }
    }

    private static bool Scan(string yaml, DiagnosticBag diagnostics, List<Frame> frames, ref Mark last)
    {
        var parser = new Parser(new StringReader(yaml));
        var anchors = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        while (parser.MoveNext())
        {
            last = parser.Current!.End;
            switch (parser.Current)
            {
                case NodeEvent start when start is MappingStart or SequenceStart:
                    Child(frames, key: null);
                    if (frames.Count >= MaxDepth)
                    {
                        diagnostics.Error(start.Start, PathOf(frames), string.Create(CultureInfo.InvariantCulture,
                            $"the YAML nests deeper than {MaxDepth} levels of mappings and lists; expected a cluster file (its deepest field is 6 levels down)"));
                        return false;
                    }

                    frames.Add(new Frame(start is MappingStart, start.Anchor.IsEmpty ? null : start.Anchor.Value));
                    total++;
                    break;
                case Scalar scalar:
                    Child(frames, scalar.Value);
                    total++;
                    Completed(frames, anchors, scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value, 1);
                    break;
                case AnchorAlias alias:
                    Child(frames, key: null);
                    // An unknown anchor is left to the loader, which reports it with its position.
                    var size = anchors.TryGetValue(alias.Value.Value, out var known) ? known : 1;
                    total += size;
                    if (total > MaxNodes)
                    {
                        diagnostics.Error(alias.Start, PathOf(frames), string.Create(CultureInfo.InvariantCulture,
                            $"alias *{InputQuote.Cap(alias.Value.Value)} stands for {size} nodes, which takes the file past {MaxNodes} nodes with aliases expanded; expected a cluster file (is this an alias bomb?)"));
                        return false;
                    }

                    Completed(frames, anchors, anchor: null, size);
                    break;
                case MappingEnd or SequenceEnd:
                    var done = frames[^1];
                    frames.RemoveAt(frames.Count - 1);
                    Completed(frames, anchors, done.Anchor, done.Nodes);
                    break;
            }

            if (total > MaxNodes)
            {
                diagnostics.Error(parser.Current!.Start, PathOf(frames), string.Create(CultureInfo.InvariantCulture,
                    $"the file has more than {MaxNodes} YAML nodes (scalars, mappings and lists); expected a cluster file"));
                return false;
            }
        }

        return true;
    }

    /// <summary>A node starts inside the innermost collection: a list moves to its next index; a mapping's key is remembered for paths.</summary>
    private static void Child(List<Frame> frames, string? key)
    {
        if (frames.Count == 0)
        {
            return;
        }

        var parent = frames[^1];
        if (!parent.IsMapping)
        {
            parent.Index++;
        }
        else if (parent.AtKey)
        {
            parent.Key = key ?? "?";
        }
    }

    /// <summary>A node of <paramref name="nodes"/> nodes (itself and, expanded, everything under it) is complete.</summary>
    private static void Completed(List<Frame> frames, Dictionary<string, long> anchors, string? anchor, long nodes)
    {
        if (anchor is not null)
        {
            anchors[anchor] = nodes;
        }

        if (frames.Count == 0)
        {
            return;
        }

        var parent = frames[^1];
        parent.Nodes += nodes;
        if (parent.IsMapping)
        {
            parent.AtKey = !parent.AtKey;
        }
    }

    /// <summary>The field path of the node being read, as the readers spell it (spec.hosts[2].name).</summary>
    private static string PathOf(List<Frame> frames)
    {
        var path = new System.Text.StringBuilder();
        foreach (var frame in frames)
        {
            if (!frame.IsMapping)
            {
                path.Append(CultureInfo.InvariantCulture, $"[{Math.Max(frame.Index, 0)}]");
            }
            else if (!frame.AtKey && frame.Key is not null)
            {
                path.Append(path.Length == 0 ? string.Empty : ".").Append(frame.Key);
            }
        }

        return path.ToString();
    }

    private sealed class Frame(bool isMapping, string? anchor)
    {
        public bool IsMapping { get; } = isMapping;

        public string? Anchor { get; } = anchor;

        /// <summary>This collection and everything read into it so far, aliases expanded.</summary>
        public long Nodes { get; set; } = 1;

        /// <summary>In a mapping: whether the next node is a key.</summary>
        public bool AtKey { get; set; } = true;

        public string? Key { get; set; }

        /// <summary>In a list: the index of the current item.</summary>
        public int Index { get; set; } = -1;
    }
}
