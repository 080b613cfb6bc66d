using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Bootstrap.Core.Config.Parsing;

/// <summary>
/// Reads one YAML mapping of the cluster file: rejects keys outside the allowed list (naming the
/// allowed ones and the closest match), reports missing required keys, and converts scalars with
/// messages that say what was expected. Every failure is recorded; the value is then null.
/// </summary>
internal sealed class MappingReader
{
    private readonly Dictionary<string, YamlNode> values = new(StringComparer.Ordinal);

    private MappingReader(ParseContext context, YamlMappingNode node, string path)
    {
        Context = context;
        Node = node;
        Path = path;
    }

    public ParseContext Context { get; }

    public YamlMappingNode Node { get; }

    public string Path { get; }

    public Mark Start => Node.Start;

    /// <summary>Opens <paramref name="node"/> as a mapping, or records an error and returns null.</summary>
    public static MappingReader? Open(ParseContext context, YamlNode node, string path, IReadOnlyList<string> allowedKeys)
    {
        if (node is not YamlMappingNode mapping)
        {
            // A whole document of plain text is the wrong file given as the cluster file: a private key, a token, the state's
            // encryption keys. Its text is not repeated (it may be a secret); its length says what was read.
            var found = path.Length == 0 && node is YamlScalarNode { Value: { } text } && !YamlNodes.IsNull(node)
                ? string.Create(CultureInfo.InvariantCulture, $"plain text ({text.Length} characters, not shown: is it the cluster file?)")
                : YamlNodes.Describe(node);
            context.Error(node, path, $"expected a mapping with fields {string.Join(", ", allowedKeys)}; found {found}");
            return null;
        }

        var reader = new MappingReader(context, mapping, path);
        context.Remember(path, mapping);
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                context.Error(keyNode, path, $"expected a field name; found {YamlNodes.Describe(keyNode)}");
                continue;
            }

            if (!allowedKeys.Contains(key, StringComparer.Ordinal))
            {
                // A key shaped like a field name is quoted, so a typo is seen. Any other key is not: the wrong file given as the
                // cluster file (a shadow file's "root:$y$…:::" line, a secret's "name:value:" line) would put a secret on screen.
                if (LooksLikeFieldName(key))
                {
                    context.Error(keyNode, Join(path, key),
                        $"unknown field {InputQuote.Quote(key)}{Suggestions.DidYouMean(key, allowedKeys)} (allowed: {string.Join(", ", allowedKeys)})");
                }
                else
                {
                    context.Error(keyNode, path, string.Create(CultureInfo.InvariantCulture,
                        $"unknown field: a key of {key.Length} characters that is not a field name (not shown: is it the cluster file?) (allowed: {string.Join(", ", allowedKeys)})"));
                }

                continue;
            }

            reader.values[key] = value;
            context.Remember(Join(path, key), value);
        }

        return reader;
    }

    /// <summary>
    /// Whether <paramref name="key"/> could be a field someone meant to write: at most 64 letters, digits, <c>-</c>, <c>_</c>,
    /// <c>.</c> or spaces. Password hashes, base64 and tokens-with-colons are not.
    /// </summary>
    internal static bool LooksLikeFieldName(string key) =>
        key.Length <= MaxFieldNameLength
        && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ' ');

    private const int MaxFieldNameLength = 64;

    public static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    public string PathOf(string key) => Join(Path, key);

    /// <summary>The value node, or null when the key is absent or its value is empty/null.</summary>
    public YamlNode? Get(string key) =>
        values.TryGetValue(key, out var node) && !YamlNodes.IsNull(node) ? node : null;

    /// <summary>The value node; records "required field is missing" (at the mapping, or at an empty value) when there is none.</summary>
    public YamlNode? Required(string key, string expectation)
    {
        if (Get(key) is { } node)
        {
            return node;
        }

        if (values.TryGetValue(key, out var empty))
        {
            Context.Error(empty, PathOf(key), $"required field is empty; expected {expectation}");
        }
        else
        {
            Context.Error(Start, PathOf(key), $"required field {InputQuote.Quote(key)} is missing; expected {expectation}");
        }

        return null;
    }

    public string? String(string key) => Get(key) is { } node ? Scalar(node, PathOf(key), "a string") : null;

    public string? RequiredString(string key, string expectation) =>
        Required(key, expectation) is { } node ? Scalar(node, PathOf(key), expectation) : null;

    /// <summary>An integer in [min, max]; absent → <paramref name="fallback"/>; invalid → null (error recorded).</summary>
    public int? Int(string key, int min, int max, int fallback)
    {
        if (Get(key) is not { } node)
        {
            return fallback;
        }

        var expectation = $"an integer from {min} to {max}";
        var text = Scalar(node, PathOf(key), expectation);
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            Context.Error(node, PathOf(key), $"expected {expectation}; found {InputQuote.Quote(text)}");
            return null;
        }

        return value;
    }

    /// <summary>true or false; absent → <paramref name="fallback"/>; anything else → null (error recorded).</summary>
    public bool? Bool(string key, bool fallback) => OneOf(key, ["true", "false"], null) switch
    {
        null when Get(key) is null => fallback,
        "true" => true,
        "false" => false,
        _ => null,
    };

    /// <summary>One of <paramref name="allowed"/> (spelled as in the file); absent → <paramref name="fallback"/>.</summary>
    public string? OneOf(string key, IReadOnlyList<string> allowed, string? fallback)
    {
        if (Get(key) is not { } node)
        {
            return fallback;
        }

        var expectation = "one of " + string.Join(", ", allowed);
        var text = Scalar(node, PathOf(key), expectation);
        if (text is null)
        {
            return null;
        }

        if (!allowed.Contains(text, StringComparer.Ordinal))
        {
            Context.Error(node, PathOf(key), $"expected {expectation}; found {InputQuote.Quote(text)}{Suggestions.DidYouMean(text, allowed)}");
            return null;
        }

        return text;
    }

    /// <summary>A list of scalars; absent → empty. Null when the value is not a list (error recorded); bad items are skipped with an error.</summary>
    public IReadOnlyList<(string Value, YamlNode Node, string Path)>? StringList(string key, string itemExpectation)
    {
        if (Get(key) is not { } node)
        {
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            Context.Error(node, PathOf(key), $"expected a list of {itemExpectation}; found {YamlNodes.Describe(node)}");
            return null;
        }

        var items = new List<(string, YamlNode, string)>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var itemPath = PathOf(key) + "[" + i.ToString(CultureInfo.InvariantCulture) + "]";
            Context.Remember(itemPath, sequence.Children[i]);
            if (Scalar(sequence.Children[i], itemPath, itemExpectation) is { } text)
            {
                items.Add((text, sequence.Children[i], itemPath));
            }
        }

        return items;
    }

    /// <summary>The text of a scalar node, or null with "expected …; found a mapping/list".</summary>
    public string? Scalar(YamlNode node, string path, string expectation)
    {
        if (node is YamlScalarNode { Value: { } text } && !YamlNodes.IsNull(node))
        {
            return text;
        }

        Context.Error(node, path, $"expected {expectation}; found {YamlNodes.Describe(node)}");
        return null;
    }
}
