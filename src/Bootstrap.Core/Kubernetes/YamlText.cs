using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// Writes a JSON tree as block-style YAML, deterministically: object keys sorted by ordinal (as Go's
/// YAML marshaller sorts map keys), two-space indents, <c>\n</c> line endings. A string is written
/// plain only when it starts with a letter or <c>/</c> and cannot be read back as anything but that
/// string under YAML 1.1 or 1.2; every other string is double-quoted with JSON escapes, which YAML reads the same.
/// </summary>
internal static partial class YamlText
{
    public static string Write(JsonObject root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var builder = new StringBuilder();
        WriteObjectBody(builder, root, indent: 0);
        return builder.ToString();
    }

    private static void WriteObjectBody(StringBuilder builder, JsonObject obj, int indent, bool firstOnCurrentLine = false)
    {
        var first = true;
        foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            // The first key of an object that is a sequence item shares the "- " line.
            if (!(first && firstOnCurrentLine))
            {
                builder.Append(' ', indent);
            }

            first = false;
            builder.Append(Scalar(key)).Append(':');
            WriteValueAfterKey(builder, value, indent);
        }
    }

    private static void WriteValueAfterKey(StringBuilder builder, JsonNode? value, int indent)
    {
        switch (value)
        {
            case JsonObject { Count: > 0 } obj:
                builder.Append('\n');
                WriteObjectBody(builder, obj, indent + 2);
                break;
            case JsonArray { Count: > 0 } array:
                builder.Append('\n');
                WriteArray(builder, array, indent);
                break;
            default:
                builder.Append(' ').Append(Inline(value)).Append('\n');
                break;
        }
    }

    // Sequences under a key sit at the key's indent, as Go's yaml package writes them.
    private static void WriteArray(StringBuilder builder, JsonArray array, int indent)
    {
        foreach (var item in array)
        {
            builder.Append(' ', indent).Append("- ");
            switch (item)
            {
                case JsonObject { Count: > 0 } obj:
                    WriteObjectBody(builder, obj, indent + 2, firstOnCurrentLine: true);
                    break;
                case JsonArray { Count: > 0 } nested:
                    builder.Append('\n');
                    WriteArray(builder, nested, indent + 2);
                    break;
                default:
                    builder.Append(Inline(item)).Append('\n');
                    break;
            }
        }
    }

    private static string Inline(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "{}",
        JsonArray => "[]",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => Scalar(v.GetValue<string>()),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null => "null",
            _ => v.ToJsonString(),
        },
        _ => throw new InvalidOperationException("unexpected JSON node " + value.GetType().Name),
    };

    private static string Scalar(string text) =>
        PlainSafe().IsMatch(text) && !Reserved().IsMatch(text)
            ? text
            : JsonSerializer.Serialize(text, YamlJsonContext.Default.String);

    // Starts with a letter or "/", holds no indicator that could end or change a plain scalar, no ": ".
    [GeneratedRegex(@"\A[A-Za-z/][A-Za-z0-9/_.\-:@+]*\z")]
    private static partial Regex PlainSafe();

    // Words YAML 1.1 reads as booleans or null; and anything ending in ":" (a key indicator).
    [GeneratedRegex(@"\A(?:y|n|yes|no|true|false|on|off|null|.*:)\z", RegexOptions.IgnoreCase)]
    private static partial Regex Reserved();
}
