using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bootstrap.Core.Pki;

/// <summary>The JSON form of a <see cref="PkiRequest"/> kept in the state directory.</summary>
internal static class PkiRequestJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NewLine = "\n",
        Converters = { new JsonStringEnumConverter() },
        TypeInfoResolver = PkiRequestJsonContext.Default,
    };

    public static byte[] Serialize(PkiRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var canonical = request with { ExternalCas = new SortedDictionary<string, ExternalCaFiles>(request.ExternalCas.ToDictionary(), StringComparer.Ordinal) };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(canonical, Options);
        return [.. bytes, (byte)'\n'];
    }

    public static PkiRequest Deserialize(byte[] json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<PkiRequest>(json, Options) ?? throw new JsonException("empty document");
        }
        catch (JsonException e)
        {
            throw new PkiStateException($"{source} is not a valid PKI request: {e.Message}", e);
        }
    }
}
