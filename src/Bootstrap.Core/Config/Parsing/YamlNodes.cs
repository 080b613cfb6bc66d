using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Bootstrap.Core.Config.Parsing;

/// <summary>Small facts about YAML nodes used in messages and type checks.</summary>
internal static class YamlNodes
{
    /// <summary>True for an empty value, <c>~</c> or <c>null</c> written plain: the key is as good as absent.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    /// <summary>"a mapping", "a list" or the scalar quoted, for "found …" in messages.</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s when IsNull(s) => "an empty value",
        YamlScalarNode s => InputQuote.Quote(s.Value ?? string.Empty),
        _ => "an alias",
    };
}
