using System.CommandLine;
using System.Text.Json;
using Bootstrap.Cli.Commands;
using Bootstrap.Cli;
using Bootstrap.Core.Config;
using Bootstrap.Core.Pki;
using Bootstrap.Core.Tests.Pki;

namespace Bootstrap.Core.Tests.Cli.Commands;

public sealed class CertsCommandTests : IAsyncLifetime, IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    private string State => _directory.Combine("state");

    public Task InitializeAsync() =>
        new PkiManager(TimeProvider.System).EnsureAsync(PkiRequests.Single() with { KeyAlgorithm = KeyAlgorithm.EcdsaP256 }, State, CancellationToken.None);

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Check_expiration_as_json_lists_every_entry_and_exits_0_when_nothing_is_inside_the_threshold()
    {
        var (exitCode, output, _) = await RunAsync("certs", "check-expiration", "--state-dir", State, "--output", "json");

        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(output);
        var certificates = json.RootElement.GetProperty("certificates").EnumerateArray().ToArray();
        Assert.Equal(CertificateCatalog.Build(PkiRequests.Single()).Select(s => s.Name), certificates.Select(c => c.GetProperty("name").GetString()));
        var apiserver = certificates.Single(c => c.GetProperty("name").GetString() == "apiserver");
        Assert.Equal("ca", apiserver.GetProperty("signingCa").GetString());
        Assert.False(apiserver.GetProperty("externallyManaged").GetBoolean());
        Assert.Equal("364d", apiserver.GetProperty("residual").GetString());
        Assert.False(apiserver.GetProperty("expiresWithinThreshold").GetBoolean());
        var etcdCa = certificates.Single(c => c.GetProperty("name").GetString() == "etcd-ca");
        Assert.Equal(JsonValueKind.Null, etcdCa.GetProperty("signingCa").ValueKind);
        Assert.Equal("3649d", etcdCa.GetProperty("residual").GetString());
        Assert.Equal(30 * 86400, json.RootElement.GetProperty("thresholdSeconds").GetInt64());
    }

    [Fact]
    public async Task A_state_certificate_linked_to_a_device_is_reported_damaged_and_never_read()
    {
        // /dev/zero in the place of the state's ca.crt was read whole: "internal error (OutOfMemoryException …)", after the
        // workstation had run out of memory.
        var ca = Path.Combine(State, "pki", "ca.crt");
        File.Delete(ca);
        File.CreateSymbolicLink(ca, "/dev/zero");

        var (exitCode, _, error) = await RunAsync("certs", "check-expiration", "--state-dir", State);

        Assert.Equal(1, exitCode);
        Assert.Contains($"damaged (in {State}, but holding no PEM certificate): ca;", error, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_state_file_larger_than_any_is_refused_naming_it_and_its_size()
    {
        var ca = Path.Combine(State, "pki", "ca.crt");
        File.WriteAllBytes(ca, new byte[BoundedFile.MaxSmallFileBytes + 1]);

        var (exitCode, _, error) = await RunAsync("certs", "check-expiration", "--state-dir", State);

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"cannot read {ca} in the state directory: it is 16777217 bytes, larger than any such file Bootstrap reads (16 MiB); restore the file", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_expiration_exits_1_when_a_certificate_expires_inside_the_threshold()
    {
        var (exitCode, output, _) = await RunAsync("certs", "check-expiration", "--state-dir", State, "--threshold", "400d", "--output", "json");

        Assert.Equal(1, exitCode);
        using var json = JsonDocument.Parse(output);
        Assert.Contains(json.RootElement.GetProperty("certificates").EnumerateArray(), c => c.GetProperty("expiresWithinThreshold").GetBoolean());
    }

    [Fact]
    public async Task Check_expiration_names_on_standard_error_the_certificates_inside_the_threshold()
    {
        var (exitCode, _, error) = await RunAsync("certs", "check-expiration", "--state-dir", State, "--threshold", "400d");

        Assert.Equal(1, exitCode);
        var leaves = CertificateCatalog.Build(PkiRequests.Single()).Where(s => s.Kind != CertificateKind.Authority).Select(s => s.Name).ToList();
        var total = CertificateCatalog.Build(PkiRequests.Single()).Count;
        Assert.StartsWith($"{leaves.Count} of {total} certificates expire within the threshold 400d: ", error, StringComparison.Ordinal);
        Assert.Contains("apiserver (364d)", error, StringComparison.Ordinal);
        Assert.All(leaves, name => Assert.Contains(name + " (", error, StringComparison.Ordinal));
        Assert.DoesNotContain("etcd-ca (", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_expiration_exits_1_when_a_certificate_is_missing()
    {
        File.Delete(Path.Combine(State, "pki", "front-proxy-client.crt"));

        var (exitCode, output, _) = await RunAsync("certs", "check-expiration", "--state-dir", State);

        Assert.Equal(1, exitCode);
        Assert.Contains("front-proxy-client", output, StringComparison.Ordinal);
        Assert.Contains("missing", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_expiration_as_text_is_a_table_without_key_material()
    {
        var (exitCode, output, _) = await RunAsync("certs", "check-expiration", "--state-dir", State);

        Assert.Equal(0, exitCode);
        Assert.StartsWith("CERTIFICATE", output, StringComparison.Ordinal);
        Assert.Contains("scheduler.conf", output, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", output, StringComparison.Ordinal);
        Assert.DoesNotContain("LS0t", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--threshold", "thirty days")]
    [InlineData("--output", "yaml")]
    public async Task Check_expiration_exits_2_on_bad_options(string option, string value)
    {
        var (exitCode, _, error) = await RunAsync("certs", "check-expiration", "--state-dir", State, option, value);

        Assert.Equal(2, exitCode);
        Assert.Contains(option, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commands_exit_2_when_the_state_directory_holds_no_pki()
    {
        Assert.Equal(2, (await RunAsync("certs", "check-expiration", "--state-dir", _directory.Combine("nothing"))).ExitCode);
        Assert.Equal(2, (await RunAsync("certs", "check-expiration")).ExitCode);
        Assert.Equal(2, (await RunAsync("certs", "renew", "all", "--state-dir", _directory.Combine("nothing"))).ExitCode);
    }

    [Fact]
    public async Task Renew_reissues_the_named_certificate_and_exits_0()
    {
        var before = File.ReadAllBytes(Path.Combine(State, "pki", "apiserver.crt"));

        var (exitCode, output, _) = await RunAsync("certs", "renew", "apiserver", "--state-dir", State);

        Assert.Equal(0, exitCode);
        Assert.Equal("[renew] apiserver: reissued\n", output);
        Assert.NotEqual(before, File.ReadAllBytes(Path.Combine(State, "pki", "apiserver.crt")));
        Assert.True(OpenSsl.Verifies(Path.Combine(State, "pki", "ca.crt"), Path.Combine(State, "pki", "apiserver.crt")));
    }

    [Fact]
    public async Task Renew_as_json_lists_what_it_reissued()
    {
        var (exitCode, output, _) = await RunAsync("certs", "renew", "apiserver", "--state-dir", State, "-o", "json");

        Assert.Equal(0, exitCode);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(State, json.RootElement.GetProperty("stateDirectory").GetString());
        Assert.True(json.RootElement.GetProperty("changed").GetBoolean());
        var item = Assert.Single(json.RootElement.GetProperty("items").EnumerateArray().ToArray());
        Assert.Equal("apiserver", item.GetProperty("name").GetString());
        Assert.Equal("reissued", item.GetProperty("action").GetString());
    }

    [Fact]
    public async Task A_state_without_pki_says_to_run_certs_generate()
    {
        var empty = _directory.Combine("nothing");

        var (exitCode, _, error) = await RunAsync("certs", "renew", "all", "--state-dir", empty);

        Assert.Equal(2, exitCode);
        Assert.Equal($"no PKI has been generated in {empty} yet (request.json is missing); run `bootstrap certs generate -f CLUSTER.yaml` first.\n", error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("state")]
    public async Task Generate_into_a_state_directory_that_is_or_is_under_a_file_is_one_line_and_exit_1(string below)
    {
        var file = _directory.Combine("a-file");
        File.WriteAllText(file, "not a directory");
        var target = below.Length == 0 ? file : Path.Combine(file, below);

        var (exitCode, _, error) = await RunAsync("certs", "generate", "-f", LabCluster.File, "--state-dir", target);

        Assert.Equal(1, exitCode);
        var expected = below.Length == 0 ? "it is a file, not a directory" : $"{file} is a file, not a directory";
        Assert.Equal($"cannot create the state directory {target}: {expected}\n", error);
        Assert.Equal("not a directory", File.ReadAllText(file));
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("ca")]
    public async Task Renew_exits_2_for_unknown_names_and_cas(string name)
    {
        var (exitCode, _, error) = await RunAsync("certs", "renew", name, "--state-dir", State);

        Assert.Equal(2, exitCode);
        Assert.Contains(name, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Renew_without_a_name_exits_2() =>
        Assert.Equal(2, (await RunAsync("certs", "renew", "--state-dir", State)).ExitCode);

    [Fact]
    public async Task Renew_exits_1_when_a_ca_is_missing()
    {
        File.Delete(Path.Combine(State, "pki", "ca.key"));

        var (exitCode, _, error) = await RunAsync("certs", "renew", "all", "--state-dir", State);

        Assert.Equal(1, exitCode);
        Assert.Contains("ca.key is missing", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("30d", 30 * 24)]
    [InlineData("12h", 12)]
    [InlineData("1.5d", 36)]
    public void Thresholds_accept_days_and_hours(string text, double hours)
    {
        Assert.True(CertsCommand.TryParseDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromHours(hours), duration);
    }

    [Theory]
    [InlineData("check-expiration")]
    [InlineData("renew", "all")]
    public async Task A_directory_in_place_of_a_state_file_is_named_with_its_path_and_nothing_is_written(params string[] command)
    {
        // Said before: "the state directory cannot be used: permission denied", naming no file and the wrong reason.
        var path = Path.Combine(State, "pki", "apiserver.crt");
        File.Delete(path);
        Directory.CreateDirectory(path);
        var before = StateSnapshot.Take(State);

        var (exitCode, output, error) = await RunAsync(["certs", .. command, "--state-dir", State]);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.Equal($"cannot read {path} in the state directory: it is a directory, not a file; restore the file from a backup of the state directory, "
            + "or move the state aside and `bootstrap state pull`\n", error);
        Assert.Empty(output);
        Assert.DoesNotContain(StateSnapshot.Take(State).ChangedSince(before), f => f != ".run.lock"); // the run's lock is not state
    }

    [Fact]
    public async Task A_directory_in_place_of_the_request_is_named_not_taken_for_a_state_without_pki()
    {
        var request = Path.Combine(State, PkiStateDirectory.RequestFile);
        File.Delete(request);
        Directory.CreateDirectory(request);

        var (exitCode, _, error) = await RunAsync("certs", "check-expiration", "--state-dir", State);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.StartsWith($"cannot read {request} in the state directory: it is a directory, not a file", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("check-expiration")]
    [InlineData("renew", "all")]
    public async Task An_empty_state_dir_is_bad_input_never_the_cluster_files_state(params string[] command)
    {
        // `--state-dir "$STATE"` with STATE unset went on with the cluster file's stateDirectory.
        var (exitCode, output, error) = await RunAsync(["certs", .. command, "--state-dir", ""]);

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Contains("--state-dir \"\" names no directory", error, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public async Task A_state_dir_that_is_a_file_is_said_to_be_a_file()
    {
        var file = _directory.Combine("not-a-directory");
        await File.WriteAllTextAsync(file, "x");

        var (exitCode, _, error) = await RunAsync("certs", "check-expiration", "--state-dir", file);

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Equal($"{file} is a file, not a state directory; give the directory that holds pki/ and request.json.\n", error);
    }

    [Theory]
    [InlineData("pki/front-proxy-client.crt", "front-proxy-client")]
    [InlineData("admin.conf", "admin.conf")]
    public async Task Check_expiration_says_a_state_file_that_holds_no_certificate_is_damaged_not_missing(string file, string name)
    {
        await File.WriteAllTextAsync(Path.Combine(State, file), "-----BEGIN CERTIFICATE-----\nZ2FyYmFnZQ==\n-----END CERTIFICATE-----\n");

        var (exitCode, output, error) = await RunAsync("certs", "check-expiration", "--state-dir", State);

        Assert.Equal(ExitCodes.Failure, exitCode);
        var row = output.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        Assert.Contains(" damaged ", row, StringComparison.Ordinal);
        Assert.DoesNotContain("missing", row, StringComparison.Ordinal);
        Assert.Contains($"{name} (damaged)", error, StringComparison.Ordinal);
        Assert.Contains($"damaged (in {State}, but holding no PEM certificate): {name}; ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ca.crt", "ca.crt is not a PEM certificate at all")]
    [InlineData("ca.key", "ca.key is not an unencrypted RSA or ECDSA private key in PEM form")]
    public async Task A_damaged_ca_names_the_file_what_it_is_not_and_the_way_back(string file, string damage)
    {
        // Said before: "The ca CA in STATE (pki/ca.crt/.key) cannot be read.", for either file and whatever was wrong.
        await File.WriteAllTextAsync(Path.Combine(State, "pki", file), "garbage\n");
        var before = StateSnapshot.Take(State);

        var (exitCode, _, error) = await RunAsync("certs", "renew", "all", "--state-dir", State);

        Assert.Equal(ExitCodes.Failure, exitCode);
        Assert.StartsWith($"The ca CA in {State} is damaged: {Path.Combine(State, "pki", damage)}. Restore it from a backup", error, StringComparison.Ordinal);
        Assert.Contains("bootstrap state pull", error, StringComparison.Ordinal);
        Assert.DoesNotContain(StateSnapshot.Take(State).ChangedSince(before), f => f != ".run.lock"); // the run's lock is not state
    }

    [Theory]
    [InlineData("{}", "it lacks clusterName, controlPlaneHosts, etcdMembers, endpointHost, serviceSubnet, dnsDomain, extraSans, externalCas")]
    [InlineData("{\"version\": \"abc\"}", "it lacks clusterName")]
    [InlineData("{\"controlPlaneHosts\": [{\"name\": \"cp1\"}]}", "a host's name or address in controlPlaneHosts")]
    [InlineData("{\"x\":", "it is not a JSON object of a PKI request's fields (line 1, byte 6)")]
    [InlineData("[]", "it is not a JSON object of a PKI request's fields (line 1, byte 2)")]
    [InlineData("null", "it holds null, not a PKI request")]
    [InlineData("{\"clusterName\": 5}", "it is not a JSON object of a PKI request's fields")]
    public async Task A_damaged_request_is_named_with_what_is_wrong_and_the_way_back_for_every_command(string json, string what)
    {
        // {} was "Value cannot be null. (Parameter 'input')", exit 2 as if the user had typed it; a cut file showed the JSON
        // parser's text ("Expected depth to be zero at the end of the JSON payload…") and no way back.
        var request = Path.Combine(State, PkiStateDirectory.RequestFile);
        await File.WriteAllTextAsync(request, json);
        var before = StateSnapshot.Take(State);

        foreach (var command in new[] { new[] { "check-expiration" }, ["renew", "all"] })
        {
            var (exitCode, _, error) = await RunAsync(["certs", .. command, "--state-dir", State]);

            Assert.Equal(ExitCodes.Failure, exitCode);
            Assert.StartsWith($"{request} is damaged: ", error, StringComparison.Ordinal);
            Assert.Contains(what, error, StringComparison.Ordinal);
            Assert.EndsWith(". " + PkiRequestJson.WayBack + "\n", error, StringComparison.Ordinal);
            Assert.DoesNotContain("Expected", error, StringComparison.Ordinal);
            Assert.DoesNotContain("Bootstrap.Core", error, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(StateSnapshot.Take(State).ChangedSince(before), f => f != ".run.lock"); // the run's lock is not state
    }

    [Theory]
    [InlineData("99999999999h")]
    [InlineData("9223372036854775807s")]
    [InlineData("36501d")]
    public async Task A_threshold_past_100_years_is_bad_input_not_an_overflow(string threshold)
    {
        // 99999999999h overflowed TimeSpan: "internal error (OverflowException …)", exit 1.
        var (exitCode, _, error) = await RunAsync("certs", "check-expiration", "--state-dir", State, "--threshold", threshold);

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Equal($"--threshold \"{threshold}\" must be a number followed by d, h, m or s (e.g. 30d), at most 36500d (100 years).\n", error);
    }

    [Fact]
    public void A_threshold_of_100_years_is_accepted()
    {
        Assert.True(CertsCommand.TryParseDuration("36500d", out var duration));
        Assert.Equal(TimeSpan.FromDays(36500), duration);
    }

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => CliRun.RunAsync(args);
}
