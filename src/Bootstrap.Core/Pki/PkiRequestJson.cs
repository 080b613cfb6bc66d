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

    /// <summary>How a request.json that is not the request Bootstrap wrote is made right again.</summary>
    public const string WayBack =
        "Write it again from the cluster file with `bootstrap certs generate -f CLUSTER_FILE` (the keys and certificates there are kept), "
        + "or restore it from a backup of the state directory.";

    /// <summary>The request in <paramref name="json"/>.</summary>
    /// <exception cref="PkiStateException">It is not JSON, not an object of a request's fields, or lacks one (<paramref name="source"/> is damaged).</exception>
    public static PkiRequest Deserialize(byte[] json, string source)
    {
        PkiRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<PkiRequest>(json, Options);
        }
        catch (JsonException e)
        {
            // The parser's own text ("Expected depth to be zero…", a .NET type name) says nothing to an admin; where it stopped does.
            var where = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : string.Empty;
            throw Damaged(source, $"it is not a JSON object of a PKI request's fields{where}", e);
        }

        if (request is null)
        {
            throw Damaged(source, "it holds null, not a PKI request", inner: null);
        }

        // A field that is absent is null, not its default: the file was cut short or written by hand.
        var missing = MissingFields(request);
        return missing.Count == 0 ? request : throw Damaged(source, $"it lacks {string.Join(", ", missing)}", inner: null);
    }

    private static List<string> MissingFields(PkiRequest request)
    {
        var missing = new List<string>();
        void Check(object? value, string name)
        {
            if (value is null)
            {
                missing.Add(name);
            }
        }

        Check(request.ClusterName, "clusterName");
        Check(request.ControlPlaneHosts, "controlPlaneHosts");
        Check(request.EtcdMembers, "etcdMembers");
        Check(request.EndpointHost, "endpointHost");
        Check(request.ServiceSubnet, "serviceSubnet");
        Check(request.DnsDomain, "dnsDomain");
        Check(request.ExtraSans, "extraSans");
        Check(request.ExternalCas, "externalCas");
        foreach (var (hosts, name) in new[] { (request.ControlPlaneHosts, "controlPlaneHosts"), (request.EtcdMembers, "etcdMembers") })
        {
            if (hosts is not null && hosts.Any(h => h?.Name is null || h.Address is null))
            {
                missing.Add($"a host's name or address in {name}");
            }
        }

        if (request.ExtraSans is not null && request.ExtraSans.Any(s => s is null))
        {
            missing.Add("an entry of extraSans");
        }

        if (request.ExternalCas is not null && request.ExternalCas.Values.Any(f => f?.CertificatePath is null || f.KeyPath is null))
        {
            missing.Add("a path in externalCas");
        }

        return missing;
    }

    private static PkiStateException Damaged(string source, string what, Exception? inner)
    {
        var message = $"{source} is damaged: {what}. {WayBack}";
        return inner is null ? new PkiStateException(message) : new PkiStateException(message, inner);
    }
}
