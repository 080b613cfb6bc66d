using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Bootstrap.Cli;
using Bootstrap.Core.Tests.Pki;

namespace Bootstrap.Core.Tests.Cli.Commands;

/// <summary>`bootstrap certs generate -f cluster.yaml`: the cluster file drives the PKI in the state directory.</summary>
public sealed class CertsGenerateCommandTests : IDisposable
{
    private static readonly string LabFile = LabCluster.File;
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string State => _directory.Combine("state");

    private string ClusterFile(Func<string, string>? edit = null)
    {
        var path = _directory.Combine("cluster.yaml");
        File.WriteAllText(path, (edit ?? (s => s))(File.ReadAllText(LabFile)));
        return path;
    }

    private static Dictionary<string, string> Actions(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("items").EnumerateArray()
            .ToDictionary(i => i.GetProperty("name").GetString()!, i => i.GetProperty("action").GetString()!, StringComparer.Ordinal);
    }

    [Fact]
    public async Task Generate_creates_the_lab_pki_with_every_control_plane_host_in_the_apiserver_certificate()
    {
        var (exitCode, output, error) = await CliRun.RunAsync("certs", "generate", "-f", ClusterFile(), "--state-dir", State, "--output", "json");

        Assert.True(exitCode == ExitCodes.Success, error);
        Assert.All(Actions(output).Values, action => Assert.Equal("created", action));
        using var apiserver = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(State, "pki", "apiserver.crt"));
        var sans = apiserver.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        var names = sans.EnumerateDnsNames().ToHashSet();
        var addresses = sans.EnumerateIPAddresses().Select(a => a.ToString()).ToHashSet();
        Assert.Superset(new HashSet<string> { "cp1", "cp2", "cp3", "kubernetes.default.svc.cluster.local", "api.lab.internal" }, names);
        Assert.Superset(new HashSet<string> { "192.168.56.21", "192.168.56.22", "192.168.56.23", "192.168.56.10", "10.96.0.1" }, addresses);
        Assert.True(File.Exists(Path.Combine(State, "hosts", "cp3", "pki", "etcd", "peer.crt")));
    }

    [Fact]
    public async Task Changing_one_SAN_in_the_cluster_file_reissues_only_the_apiserver_certificate()
    {
        var first = await CliRun.RunAsync("certs", "generate", "-f", ClusterFile(), "--state-dir", State);
        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        var caBefore = await File.ReadAllBytesAsync(Path.Combine(State, "pki", "ca.crt"));

        var unchanged = await CliRun.RunAsync("certs", "generate", "-f", ClusterFile(), "--state-dir", State, "-o", "json");
        Assert.All(Actions(unchanged.Output).Values, action => Assert.Equal("unchanged", action));

        var edited = ClusterFile(s => s.Replace("- api.lab.internal", "- api.lab.example", StringComparison.Ordinal));
        var (exitCode, output, error) = await CliRun.RunAsync("certs", "generate", "-f", edited, "--state-dir", State, "-o", "json");

        Assert.True(exitCode == ExitCodes.Success, error);
        var changed = Actions(output).Where(a => a.Value != "unchanged").ToDictionary();
        Assert.Equal(new Dictionary<string, string> { ["apiserver"] = "reissued" }, changed);
        Assert.Equal(caBefore, await File.ReadAllBytesAsync(Path.Combine(State, "pki", "ca.crt")));
    }

    [Fact]
    public async Task An_external_etcd_CA_named_in_the_cluster_file_signs_the_etcd_certificates_and_is_reported_as_external()
    {
        var external = _directory.Combine("external");
        var seed = await CliRun.RunAsync("certs", "generate", "-f", ClusterFile(), "--state-dir", external);
        Assert.True(seed.ExitCode == ExitCodes.Success, seed.Error);
        var caCert = Path.Combine(external, "pki", "etcd", "ca.crt");
        var caKey = Path.Combine(external, "pki", "etcd", "ca.key");
        var file = ClusterFile(s => s.Replace("    keyAlgorithm: rsa-2048\n",
            $"    keyAlgorithm: rsa-2048\n    externalCAs:\n      etcd-ca:\n        certFile: {caCert}\n        keyFile: {caKey}\n", StringComparison.Ordinal));

        var (exitCode, _, error) = await CliRun.RunAsync("certs", "generate", "-f", file, "--state-dir", State);
        Assert.True(exitCode == ExitCodes.Success, error);
        Assert.Equal(await File.ReadAllBytesAsync(caCert), await File.ReadAllBytesAsync(Path.Combine(State, "pki", "etcd", "ca.crt")));

        var report = await CliRun.RunAsync("certs", "check-expiration", "--state-dir", State, "-o", "json");
        using var json = JsonDocument.Parse(report.Output);
        var etcdCa = json.RootElement.GetProperty("certificates").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "etcd-ca");
        Assert.True(etcdCa.GetProperty("externallyManaged").GetBoolean());
    }

    [Fact]
    public async Task A_bad_cluster_file_exits_2_with_its_positions_and_writes_nothing()
    {
        var file = ClusterFile(s => s.Replace("keyAlgorithm: rsa-2048", "keyAlgorithm: rsa-1024", StringComparison.Ordinal));

        var (exitCode, output, error) = await CliRun.RunAsync("certs", "generate", "-f", file, "--state-dir", State);

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.Contains("spec.certificates.keyAlgorithm: expected one of rsa-2048, ecdsa-p256; found \"rsa-1024\"", error, StringComparison.Ordinal);
        Assert.Contains($"{file}:", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(State));
    }

    [Fact]
    public async Task Check_expiration_and_renew_find_the_state_through_the_cluster_files_stateDirectory()
    {
        var file = ClusterFile(s => s.Replace("stateDirectory: /var/lib/bootstrap-lab/state", $"stateDirectory: {State}", StringComparison.Ordinal));
        var generate = await CliRun.RunAsync("certs", "generate", "-f", file);
        Assert.True(generate.ExitCode == ExitCodes.Success, generate.Error);

        var report = await CliRun.RunAsync("certs", "check-expiration", "-f", file);
        Assert.True(report.ExitCode == ExitCodes.Success, report.Error);
        Assert.Contains("apiserver-etcd-client", report.Output, StringComparison.Ordinal);

        var renew = await CliRun.RunAsync("certs", "renew", "front-proxy-client", "-f", file);
        Assert.True(renew.ExitCode == ExitCodes.Success, renew.Error);
        Assert.Contains("[renew] front-proxy-client: reissued", renew.Output, StringComparison.Ordinal);

        var neither = await CliRun.RunAsync("certs", "check-expiration");
        Assert.Equal(ExitCodes.BadInput, neither.ExitCode);
        Assert.Contains("Give the cluster file (-f cluster.yaml) or --state-dir.", neither.Error, StringComparison.Ordinal);
    }
}
