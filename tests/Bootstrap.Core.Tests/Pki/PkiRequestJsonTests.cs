using System.Text.Json;
using System.Text.Json.Serialization;
using Bootstrap.Core.Config;
using Bootstrap.Core.Pki;

namespace Bootstrap.Core.Tests.Pki;

/// <summary>request.json is compared byte for byte on every run: its source-generated form must be the one reflection wrote.</summary>
public sealed class PkiRequestJsonTests
{
    private static readonly JsonSerializerOptions Reflection = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NewLine = "\n",
        Converters = { new JsonStringEnumConverter() },
    };

    private static readonly PkiRequest Request = PkiRequests.ThreeControlPlanes(KeyAlgorithm.EcdsaP256) with
    {
        ExternalCas = new Dictionary<string, ExternalCaFiles> { ["front-proxy-ca"] = new("/ca/fp.crt", "/ca/fp.key"), ["etcd-ca"] = new("/ca/etcd.crt", "/ca/etcd.key") },
        CaValidity = TimeSpan.FromDays(1000),
        RenewBefore = TimeSpan.FromHours(36),
    };

    [Fact]
    public void The_file_is_the_one_the_reflection_serializer_wrote_with_the_same_options()
    {
        var sorted = Request with { ExternalCas = new SortedDictionary<string, ExternalCaFiles>(Request.ExternalCas.ToDictionary(), StringComparer.Ordinal) };
        byte[] expected = [.. JsonSerializer.SerializeToUtf8Bytes(sorted, Reflection), (byte)'\n'];

        var json = PkiRequestJson.Serialize(Request);

        Assert.Equal(System.Text.Encoding.UTF8.GetString(expected), System.Text.Encoding.UTF8.GetString(json));
        Assert.Contains("\"keyAlgorithm\": \"ecdsa-p256\"", System.Text.Encoding.UTF8.GetString(json), StringComparison.Ordinal);
    }

    [Fact]
    public void It_reads_back_what_it_wrote()
    {
        var read = PkiRequestJson.Deserialize(PkiRequestJson.Serialize(Request), "request.json");

        Assert.Equal(PkiRequestJson.Serialize(Request), PkiRequestJson.Serialize(read));
        Assert.Equal(Request.ControlPlaneHosts, read.ControlPlaneHosts);
        Assert.Equal(Request.RenewBefore, read.RenewBefore);
        Assert.Equal(KeyAlgorithm.EcdsaP256, read.KeyAlgorithm);
        Assert.Equal(new ExternalCaFiles("/ca/etcd.crt", "/ca/etcd.key"), read.ExternalCas["etcd-ca"]);
    }
}
