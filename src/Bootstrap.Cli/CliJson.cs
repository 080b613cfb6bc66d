using System.Text.Encodings.Web;
using System.Text.Json;

namespace Bootstrap.Cli;

/// <summary>
/// How every command writes JSON: quotes as <c>\"</c> and non-ASCII as itself rather than <c>\u0022</c> and
/// <c>\u00e9</c> (still valid JSON, and readable; the output is never embedded in HTML).
/// </summary>
internal static class CliJson
{
    public static JsonSerializerOptions Serializer { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static JsonWriterOptions Writer(bool indented) => new()
    {
        Indented = indented,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
