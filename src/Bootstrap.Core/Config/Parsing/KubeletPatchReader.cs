using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bootstrap.Core.Kubernetes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Bootstrap.Core.Config.Parsing;

/// <summary>
/// Converts <c>spec.kubelet.configPatch</c>, a free-form mapping, to JSON. Plain scalars are typed
/// as in YAML 1.2's core schema (null, booleans, integers, floats); quoted scalars stay strings.
/// </summary>
internal static partial class KubeletPatchReader
{
    /// <summary>
    /// Levels of mappings and lists inside configPatch. KubeletConfiguration's deepest field is four levels
    /// down (logging.options.json.infoBufferSize); the whole file has its own bound (<see cref="YamlLimits"/>).
    /// </summary>
    public const int MaxDepth = 16;

    private static readonly string[] OwnedKeys = ["apiVersion", "kind"];

    public static JsonElement? Read(ParseContext context, YamlNode node, string path)
    {
        if (node is not YamlMappingNode mapping)
        {
            context.Error(node, path, $"expected a mapping of KubeletConfiguration fields; found {YamlNodes.Describe(node)}");
            return null;
        }

        var ok = true;
        foreach (var (key, _) in mapping.Children)
        {
            if (key is not YamlScalarNode { Value: { } name })
            {
                continue;
            }

            if (OwnedKeys.Contains(name, StringComparer.Ordinal))
            {
                context.Error(key, path + "." + name, $"\"{name}\" is set by Bootstrap; expected only KubeletConfiguration fields");
                ok = false;
            }
            else if (!KubeletConfigurationFields.V1_20.Contains(name, StringComparer.Ordinal))
            {
                context.Warning(key, path + "." + name,
                    $"{InputQuote.Quote(name)} is not a KubeletConfiguration field (kubelet.config.k8s.io/v1beta1 as of Kubernetes v1.20){Suggestions.DidYouMean(name, KubeletConfigurationFields.V1_20)}; the kubelet would not use it");
            }
        }

        if (TooDeep(mapping, path, 1) is { } deep)
        {
            context.Error(deep.Node, deep.Path, string.Create(CultureInfo.InvariantCulture,
                $"configPatch nests deeper than {MaxDepth} levels of mappings and lists; expected KubeletConfiguration fields (the deepest is 4 levels down)"));
            return null;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            ok &= Write(context, writer, mapping, path);
        }

        if (!ok)
        {
            return null;
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }

    private static bool Write(ParseContext context, Utf8JsonWriter writer, YamlNode node, string path)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                writer.WriteStartObject();
                var ok = true;
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is not YamlScalarNode { Value: { } name })
                    {
                        context.Error(key, path, $"expected a field name; found {YamlNodes.Describe(key)}");
                        ok = false;
                        continue;
                    }

                    writer.WritePropertyName(name);
                    ok &= Write(context, writer, value, path + "." + name);
                }

                writer.WriteEndObject();
                return ok;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                var allOk = true;
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    allOk &= Write(context, writer, sequence.Children[i], path + ClusterFileReader.Index(i));
                }

                writer.WriteEndArray();
                return allOk;
            case YamlScalarNode scalar:
                WriteScalar(writer, scalar);
                return true;
            default:
                context.Error(node, path, "expected a mapping, list or scalar");
                return false;
        }
    }

    /// <summary>The first mapping or list below <see cref="MaxDepth"/> levels, looking no deeper than that.</summary>
    private static (YamlNode Node, string Path)? TooDeep(YamlNode node, string path, int depth)
    {
        if (node is not (YamlMappingNode or YamlSequenceNode))
        {
            return null;
        }

        if (depth > MaxDepth)
        {
            return (node, path);
        }

        if (node is YamlMappingNode mapping)
        {
            foreach (var (key, value) in mapping.Children)
            {
                if (TooDeep(value, path + "." + ((key as YamlScalarNode)?.Value ?? "?"), depth + 1) is { } found)
                {
                    return found;
                }
            }

            return null;
        }

        var sequence = (YamlSequenceNode)node;
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (TooDeep(sequence.Children[i], path + ClusterFileReader.Index(i), depth + 1) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static void WriteScalar(Utf8JsonWriter writer, YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any))
        {
            writer.WriteStringValue(text);
        }
        else if (YamlNodes.IsNull(scalar))
        {
            writer.WriteNullValue();
        }
        else if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            writer.WriteBooleanValue(text.Equals("true", StringComparison.OrdinalIgnoreCase));
        }
        else if (Integer().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            writer.WriteNumberValue(integer);
        }
        else if (Float().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteStringValue(text);
        }
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
