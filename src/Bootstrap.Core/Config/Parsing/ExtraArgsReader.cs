using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Bootstrap.Core.Config.Parsing;

/// <summary>
/// Reads an <c>extraArgs</c> mapping: flag names (leading <c>--</c> allowed and stripped; lower-case letters, digits and
/// dashes) to scalar values (numbers and booleans as written), one line each. Anything else is an error at its position.
/// </summary>
internal static partial class ExtraArgsReader
{
    public const int MaxValueLength = 4096;

    public static IReadOnlyDictionary<string, string>? Read(ParseContext context, YamlNode node, string path)
    {
        if (node is not YamlMappingNode mapping)
        {
            context.Error(node, path, $"expected a mapping of flag names to values (e.g. {{audit-log-maxage: \"30\"}}); found {YamlNodes.Describe(node)}");
            return null;
        }

        context.Remember(path, mapping);
        var flags = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var ok = true;
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var raw = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            var name = raw.StartsWith("--", StringComparison.Ordinal) ? raw[2..] : raw;
            var at = MappingReader.Join(path, name.Length > 0 ? name : "?");
            if (keyNode is not YamlScalarNode || !FlagName().IsMatch(name))
            {
                context.Error(keyNode, at, $"expected a flag name (lower-case letters, digits and '-', with or without a leading --); found {YamlNodes.Describe(keyNode)}");
                ok = false;
                continue;
            }

            if (!flags.ContainsKey(name) && valueNode is YamlScalarNode { Value: { } value } && !YamlNodes.IsNull(valueNode))
            {
                if (value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
                {
                    context.Error(valueNode, at, "expected a one-line flag value; found a line break or NUL");
                    ok = false;
                    continue;
                }

                if (value.Length > MaxValueLength)
                {
                    context.Error(valueNode, at, $"expected a flag value of at most {MaxValueLength} characters; found {value.Length}");
                    ok = false;
                    continue;
                }

                context.Remember(at, keyNode);
                flags[name] = value;
                continue;
            }

            context.Error(flags.ContainsKey(name) ? keyNode : valueNode, at, flags.ContainsKey(name)
                ? $"the flag --{name} is given twice (once with and once without its dashes); expected each flag once"
                : $"expected the flag's value as a string (e.g. \"true\", \"30\"); found {YamlNodes.Describe(valueNode)}");
            ok = false;
        }

        return ok ? flags : null;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex FlagName();
}
