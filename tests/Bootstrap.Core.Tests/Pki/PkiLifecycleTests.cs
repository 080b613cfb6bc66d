using System.Runtime.Versioning;
using System.Text.Json;
using System.Text;
using Bootstrap.Core.Config;
using Bootstrap.Core.Pki;

namespace Bootstrap.Core.Tests.Pki;

/// <summary>
/// Load-or-create behaviour across runs. Most tests use ECDSA keys only because they are
/// generated in milliseconds; the decisions under test do not depend on the key algorithm
/// (the RSA idempotence test shows the same for RSA).
/// </summary>
public sealed class PkiLifecycleTests : IDisposable
{
    private static readonly string[] Authorities = ["pki/ca.crt", "pki/ca.key", "pki/etcd/ca.crt", "pki/etcd/ca.key", "pki/front-proxy-ca.crt", "pki/front-proxy-ca.key", "pki/sa.key", "pki/sa.pub"];

    private readonly TemporaryDirectory _directory = new();
    private readonly ManualTimeProvider _clock = new(TimeProvider.System.GetUtcNow());

    private string State => _directory.Combine("state");

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData("rsa-2048")]
    [InlineData("ecdsa-p256")]
    public async Task A_second_run_with_the_same_request_changes_no_byte(string algorithm)
    {
        var request = PkiRequests.Single() with { KeyAlgorithm = algorithm == "rsa-2048" ? KeyAlgorithm.Rsa2048 : KeyAlgorithm.EcdsaP256 };
        await EnsureAsync(request);
        var before = StateSnapshot.Take(State);
        _clock.Advance(TimeSpan.FromDays(1));

        var changes = await EnsureAsync(request);

        Assert.Empty(changes.WrittenFiles);
        Assert.All(changes.Items, c => Assert.Equal(PkiChangeAction.Unchanged, c.Action));
        Assert.Empty(StateSnapshot.Take(State).ChangedSince(before));
    }

    [Fact]
    public async Task Changing_one_extra_san_reissues_only_the_apiserver_certificate()
    {
        var request = Ecdsa();
        await EnsureAsync(request);
        var before = StateSnapshot.Take(State);

        var changes = await EnsureAsync(request with { ExtraSans = ["api2.example.test"] });

        Assert.Equal(["apiserver"], changes.Items.Where(c => c.Action != PkiChangeAction.Unchanged).Select(c => c.Name));
        Assert.Equal("SANs changed", changes["apiserver"].Reason);
        Assert.Equal(["pki/apiserver.crt", "pki/apiserver.key", "request.json"], StateSnapshot.Take(State).ChangedSince(before));
        Assert.Contains("DNS:api2.example.test", OpenSsl.RunChecked("x509", "-noout", "-ext", "subjectAltName", "-in", Path.Combine(State, "pki", "apiserver.crt")), StringComparison.Ordinal);
        Assert.True(OpenSsl.Verifies(Path.Combine(State, "pki", "ca.crt"), Path.Combine(State, "pki", "apiserver.crt")));
    }

    [Fact]
    public async Task Changing_an_etcd_member_address_reissues_only_that_members_certificates()
    {
        var request = Ecdsa() with { EtcdMembers = [new("e1", "10.0.1.1"), new("e2", "10.0.1.2")] };
        await EnsureAsync(request);
        var before = StateSnapshot.Take(State);

        var changes = await EnsureAsync(request with { EtcdMembers = [new("e1", "10.0.1.1"), new("e2", "10.0.1.22")] });

        Assert.Equal(["etcd-server/e2", "etcd-peer/e2"], changes.Items.Where(c => c.Action != PkiChangeAction.Unchanged).Select(c => c.Name));
        Assert.Equal(
            ["hosts/e2/pki/etcd/peer.crt", "hosts/e2/pki/etcd/peer.key", "hosts/e2/pki/etcd/server.crt", "hosts/e2/pki/etcd/server.key", "request.json"],
            StateSnapshot.Take(State).ChangedSince(before));
    }

    [Fact]
    public async Task A_moved_endpoint_rewrites_kubeconfigs_and_reissues_apiserver_but_keeps_client_certificates()
    {
        var request = Ecdsa();
        await EnsureAsync(request);
        var admin = KubeconfigFile.TryParse(File.ReadAllBytes(Path.Combine(State, "admin.conf")))!;

        var changes = await EnsureAsync(request with { EndpointHost = "10.0.0.100" });

        Assert.Equal(PkiChangeAction.Reissued, changes["apiserver"].Action);
        Assert.Equal(PkiChangeAction.Rewritten, changes["admin.conf"].Action);
        var moved = KubeconfigFile.TryParse(File.ReadAllBytes(Path.Combine(State, "admin.conf")))!;
        Assert.Equal("https://10.0.0.100:6443", moved.Server);
        Assert.Equal(admin.ClientCertificatePem, moved.ClientCertificatePem);
    }

    [Fact]
    public async Task A_clock_inside_the_renewal_window_reissues_every_leaf_with_new_keys_and_never_a_ca()
    {
        var request = Ecdsa();
        var first = await EnsureAsync(request);
        var before = StateSnapshot.Take(State);
        _clock.Advance(TimeSpan.FromDays(340));

        var changes = await EnsureAsync(request);

        var after = StateSnapshot.Take(State);
        foreach (var item in changes.Items)
        {
            var isAuthority = CertificateCatalog.AuthorityNames.Contains(item.Name) || item.Name == PkiManager.ServiceAccountName;
            Assert.Equal(isAuthority ? PkiChangeAction.Unchanged : PkiChangeAction.Reissued, item.Action);
        }

        Assert.DoesNotContain(after.ChangedSince(before), Authorities.Contains);
        Assert.NotEqual(before["pki/apiserver.key"], after["pki/apiserver.key"]);
        Assert.StartsWith("expires ", changes["apiserver"].Reason, StringComparison.Ordinal);
        Assert.True(OpenSsl.Verifies(Path.Combine(State, "pki", "etcd", "ca.crt"), Path.Combine(State, "hosts", "cp1", "pki", "etcd", "server.crt")));
        Assert.Equal(first.Items.Count, changes.Items.Count);
    }

    [Fact]
    public async Task A_lapsed_leaf_is_renewed_and_its_ca_left_untouched()
    {
        var request = Ecdsa();
        await EnsureAsync(request);
        var before = StateSnapshot.Take(State);
        _clock.Advance(TimeSpan.FromDays(400));

        var changes = await EnsureAsync(request);

        Assert.Equal(PkiChangeAction.Reissued, changes["apiserver-etcd-client"].Action);
        Assert.DoesNotContain(StateSnapshot.Take(State).ChangedSince(before), Authorities.Contains);
        var report = await new PkiManager(_clock).CheckExpirationAsync(State, CancellationToken.None);
        Assert.All(report.Where(e => e.Kind != CertificateKind.Authority), e => Assert.InRange(e.Residual!.Value, TimeSpan.FromDays(365) - TimeSpan.FromSeconds(1), TimeSpan.FromDays(365)));
    }

    [Fact]
    public async Task A_leaf_whose_key_was_swapped_or_that_another_ca_signed_is_reissued()
    {
        var request = Ecdsa();
        await EnsureAsync(request);
        File.Copy(Path.Combine(State, "pki", "apiserver-kubelet-client.key"), Path.Combine(State, "pki", "apiserver.key"), overwrite: true);
        File.Copy(Path.Combine(State, "pki", "apiserver-etcd-client.crt"), Path.Combine(State, "pki", "front-proxy-client.crt"), overwrite: true);
        File.Copy(Path.Combine(State, "pki", "apiserver-etcd-client.key"), Path.Combine(State, "pki", "front-proxy-client.key"), overwrite: true);
        File.WriteAllText(Path.Combine(State, "scheduler.conf"), "not: a kubeconfig\n");

        var changes = await EnsureAsync(request);

        Assert.Equal("private key does not match the certificate", changes["apiserver"].Reason);
        Assert.Equal("not signed by the current front-proxy-ca CA", changes["front-proxy-client"].Reason);
        Assert.Equal("unreadable certificate or key", changes["scheduler.conf"].Reason);
        Assert.True(OpenSsl.Verifies(Path.Combine(State, "pki", "front-proxy-ca.crt"), Path.Combine(State, "pki", "front-proxy-client.crt")));
    }

    [Fact]
    public async Task A_missing_ca_of_an_existing_cluster_is_an_error_not_a_new_ca()
    {
        var request = Ecdsa();
        await EnsureAsync(request);
        File.Delete(Path.Combine(State, "pki", "etcd", "ca.crt"));
        File.Delete(Path.Combine(State, "pki", "etcd", "ca.key"));
        var before = StateSnapshot.Take(State);

        var error = await Assert.ThrowsAsync<PkiStateException>(() => EnsureAsync(request));

        Assert.Contains("etcd-ca", error.Message, StringComparison.Ordinal);
        Assert.Contains("Refusing to create a second CA", error.Message, StringComparison.Ordinal);
        Assert.Empty(StateSnapshot.Take(State).ChangedSince(before));
    }

    [Fact]
    public async Task Half_a_ca_is_an_error_and_nothing_is_written()
    {
        Directory.CreateDirectory(Path.Combine(State, "pki"));
        File.Copy(WriteExternalCa("lonely").Certificate, Path.Combine(State, "pki", "ca.crt"));

        var error = await Assert.ThrowsAsync<PkiStateException>(() => EnsureAsync(Ecdsa()));

        Assert.Contains("ca.key is missing", error.Message, StringComparison.Ordinal);
        Assert.Equal(["pki/ca.crt"], StateSnapshot.Take(State).Files);
    }

    [Fact]
    public async Task A_missing_service_account_key_of_an_existing_cluster_is_an_error()
    {
        var request = Ecdsa();
        await EnsureAsync(request);
        File.Delete(Path.Combine(State, "pki", "sa.key"));

        await Assert.ThrowsAsync<PkiStateException>(() => EnsureAsync(request));
    }

    [Theory]
    [InlineData("rsa-2048")]
    [InlineData("ecdsa-p256")]
    public async Task A_lost_sa_pub_is_restored_from_sa_key(string algorithm)
    {
        var request = PkiRequests.Single() with { KeyAlgorithm = algorithm == "rsa-2048" ? KeyAlgorithm.Rsa2048 : KeyAlgorithm.EcdsaP256 };
        await EnsureAsync(request);
        var saPub = File.ReadAllBytes(Path.Combine(State, "pki", "sa.pub"));
        File.Delete(Path.Combine(State, "pki", "sa.pub"));

        var changes = await EnsureAsync(request);

        Assert.Equal(["pki/sa.pub"], changes.WrittenFiles);
        Assert.Equal(saPub, File.ReadAllBytes(Path.Combine(State, "pki", "sa.pub")));
        Assert.Equal(OpenSsl.RunChecked("pkey", "-pubout", "-in", Path.Combine(State, "pki", "sa.key")), File.ReadAllText(Path.Combine(State, "pki", "sa.pub")));
    }

    [Fact]
    public async Task An_sa_key_in_pkcs8_form_gives_the_sa_pub_openssl_derives()
    {
        var request = PkiRequests.Single() with { KeyAlgorithm = KeyAlgorithm.Rsa2048 };
        await EnsureAsync(request);
        var key = Path.Combine(State, "pki", "sa.key");
        File.WriteAllText(key, OpenSsl.RunChecked("pkcs8", "-topk8", "-nocrypt", "-in", key));
        File.Delete(Path.Combine(State, "pki", "sa.pub"));

        var changes = await EnsureAsync(request);

        Assert.Equal(["pki/sa.pub"], changes.WrittenFiles);
        Assert.Equal(OpenSsl.RunChecked("pkey", "-pubout", "-in", key), File.ReadAllText(Path.Combine(State, "pki", "sa.pub")));
    }

    [Theory]
    [InlineData("not a key\n")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n")]
    public async Task An_sa_key_that_holds_no_private_key_is_an_error_naming_the_file_and_nothing_is_written(string content)
    {
        var request = Ecdsa();
        await EnsureAsync(request);
        File.WriteAllText(Path.Combine(State, "pki", "sa.key"), content);
        File.Delete(Path.Combine(State, "pki", "sa.pub"));
        var before = StateSnapshot.Take(State);

        var error = await Assert.ThrowsAsync<PkiStateException>(() => EnsureAsync(request));

        Assert.Contains(Path.Combine(State, "pki", "sa.key"), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AAAA", error.Message, StringComparison.Ordinal);
        Assert.Empty(StateSnapshot.Take(State).ChangedSince(before));
    }

    [Fact]
    public async Task Ca_files_copied_from_a_host_into_a_fresh_state_directory_are_adopted_not_replaced()
    {
        var ca = WriteExternalCa("kubernetes");
        Directory.CreateDirectory(Path.Combine(State, "pki"));
        File.Copy(ca.Certificate, Path.Combine(State, "pki", "ca.crt"));
        File.Copy(ca.Key, Path.Combine(State, "pki", "ca.key"));

        var changes = await EnsureAsync(Ecdsa());

        Assert.Equal(PkiChangeAction.Unchanged, changes["ca"].Action);
        Assert.Equal(File.ReadAllBytes(ca.Certificate), File.ReadAllBytes(Path.Combine(State, "pki", "ca.crt")));
        Assert.True(OpenSsl.Verifies(ca.Certificate, Path.Combine(State, "pki", "apiserver.crt")));
    }

    [Fact]
    public async Task An_external_ca_signs_the_leaves_and_is_reported_as_externally_managed()
    {
        var ca = WriteExternalCa("corp-front-proxy");
        var request = Ecdsa() with { ExternalCas = new Dictionary<string, ExternalCaFiles> { ["front-proxy-ca"] = new(ca.Certificate, ca.Key) } };

        var changes = await EnsureAsync(request);

        Assert.Equal(PkiChangeAction.Created, changes["front-proxy-ca"].Action);
        Assert.True(OpenSsl.Verifies(ca.Certificate, Path.Combine(State, "pki", "front-proxy-client.crt")));
        Assert.Equal(
            OpenSsl.RunChecked("x509", "-noout", "-fingerprint", "-sha256", "-in", ca.Certificate),
            OpenSsl.RunChecked("x509", "-noout", "-fingerprint", "-sha256", "-in", Path.Combine(State, "pki", "front-proxy-ca.crt")));
        var report = await new PkiManager(_clock).CheckExpirationAsync(State, CancellationToken.None);
        Assert.Equal(["front-proxy-ca"], report.Where(e => e.ExternallyManaged).Select(e => e.Name));

        var before = StateSnapshot.Take(State);
        Assert.Empty((await EnsureAsync(request)).WrittenFiles);
        Assert.Empty(StateSnapshot.Take(State).ChangedSince(before));
    }

    [Fact]
    public async Task An_external_ca_that_differs_from_the_cluster_ca_in_the_state_is_refused()
    {
        var request = Ecdsa();
        await EnsureAsync(request);
        var before = StateSnapshot.Take(State);
        var ca = WriteExternalCa("someone-else");

        var error = await Assert.ThrowsAsync<PkiStateException>(() => EnsureAsync(request with { ExternalCas = new Dictionary<string, ExternalCaFiles> { ["ca"] = new(ca.Certificate, ca.Key) } }));

        Assert.Contains("different ca CA", error.Message, StringComparison.Ordinal);
        Assert.Empty(StateSnapshot.Take(State).ChangedSince(before));
    }

    [Fact]
    public async Task An_external_file_that_is_not_a_ca_or_whose_key_does_not_match_is_refused_before_anything_is_written()
    {
        var ca = WriteExternalCa("one");
        var other = WriteExternalCa("two");

        await Assert.ThrowsAsync<PkiStateException>(() => EnsureAsync(Ecdsa() with { ExternalCas = new Dictionary<string, ExternalCaFiles> { ["etcd-ca"] = new(ca.Certificate, other.Key) } }));
        await Assert.ThrowsAsync<PkiStateException>(() => EnsureAsync(Ecdsa() with { ExternalCas = new Dictionary<string, ExternalCaFiles> { ["etcd-ca"] = new(ca.Certificate, _directory.Combine("missing.key")) } }));

        Assert.Empty(Directory.Exists(State) ? StateSnapshot.Take(State).Files : []);
    }

    [Fact]
    public async Task Errors_about_keys_never_contain_key_material()
    {
        var ca = WriteExternalCa("leaky");
        var garbage = _directory.Combine("garbage.key");
        var keyText = File.ReadAllText(ca.Key);
        File.WriteAllText(garbage, keyText.Replace("PRIVATE KEY", "PRIVATE KEE", StringComparison.Ordinal));

        var error = await Assert.ThrowsAsync<PkiStateException>(() => EnsureAsync(Ecdsa() with { ExternalCas = new Dictionary<string, ExternalCaFiles> { ["ca"] = new(ca.Certificate, garbage) } }));

        var body = keyText.Split('\n')[1];
        Assert.DoesNotContain(body[..20], error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Renew_all_reissues_every_leaf_and_kubeconfig_with_new_keys_and_keeps_the_cas()
    {
        var request = Ecdsa();
        await EnsureAsync(request);
        var before = StateSnapshot.Take(State);

        var changes = await new PkiManager(_clock).RenewAsync(State, "all", CancellationToken.None);

        var after = StateSnapshot.Take(State);
        Assert.Equal(CertificateCatalog.Build(request).Count(s => s.Kind != CertificateKind.Authority), changes.Items.Count);
        Assert.All(changes.Items, c => Assert.Equal(PkiChangeAction.Reissued, c.Action));
        Assert.DoesNotContain(after.ChangedSince(before), Authorities.Contains);
        Assert.NotEqual(before["pki/apiserver.key"], after["pki/apiserver.key"]);
        Assert.NotEqual(before["admin.conf"], after["admin.conf"]);
        Assert.Empty((await EnsureAsync(request)).WrittenFiles);
    }

    [Fact]
    public async Task Renew_by_base_name_covers_every_member_and_by_full_name_just_one()
    {
        var request = Ecdsa() with { EtcdMembers = [new("e1", "10.0.1.1"), new("e2", "10.0.1.2")] };
        await EnsureAsync(request);
        var manager = new PkiManager(_clock);

        Assert.Equal(["etcd-server/e1", "etcd-server/e2"], (await manager.RenewAsync(State, "etcd-server", CancellationToken.None)).Items.Select(i => i.Name));
        Assert.Equal(["etcd-peer/e2"], (await manager.RenewAsync(State, "etcd-peer/e2", CancellationToken.None)).Items.Select(i => i.Name));
        Assert.Equal(["admin.conf"], (await manager.RenewAsync(State, "admin.conf", CancellationToken.None)).Items.Select(i => i.Name));
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("ca")]
    [InlineData("etcd-ca")]
    [InlineData("sa")]
    public async Task Renew_refuses_unknown_names_and_cas(string name)
    {
        await EnsureAsync(Ecdsa());

        await Assert.ThrowsAsync<ArgumentException>(() => new PkiManager(_clock).RenewAsync(State, name, CancellationToken.None));
    }

    [Fact]
    public async Task The_request_is_stored_as_json_and_round_trips()
    {
        var request = Ecdsa() with { ExtraSans = ["x.example.test"], RenewBefore = TimeSpan.FromDays(45) };
        await EnsureAsync(request);

        var loaded = await PkiManager.LoadRequestAsync(State, CancellationToken.None);

        Assert.Equal(JsonSerializer.Serialize(request), JsonSerializer.Serialize(loaded));
        Assert.Contains("\"keyAlgorithm\": \"ecdsa-p256\"", Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(State, "request.json"))), StringComparison.Ordinal);
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task Wrong_file_modes_are_repaired_without_rewriting_content()
    {
        var request = Ecdsa();
        await EnsureAsync(request);
        var key = Path.Combine(State, "pki", "apiserver.key");
        var content = File.ReadAllBytes(key);
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var changes = await EnsureAsync(request);

        Assert.Equal(["pki/apiserver.key"], changes.WrittenFiles);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.Equal(content, File.ReadAllBytes(key));
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task A_state_directory_created_by_hand_with_wider_modes_is_narrowed_to_0700()
    {
        Directory.CreateDirectory(Path.Combine(State, "pki"));
        File.SetUnixFileMode(State, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Path.Combine(State, "pki"), (UnixFileMode)0b111_101_101);

        await EnsureAsync(Ecdsa());

        Assert.Equal(PkiStateDirectory.DirectoryMode, File.GetUnixFileMode(State));
        Assert.Equal(PkiStateDirectory.DirectoryMode, File.GetUnixFileMode(Path.Combine(State, "pki")));
    }

    private static PkiRequest Ecdsa() => PkiRequests.Single() with { KeyAlgorithm = KeyAlgorithm.EcdsaP256 };

    private Task<PkiChanges> EnsureAsync(PkiRequest request) => new PkiManager(_clock).EnsureAsync(request, State, CancellationToken.None);

    /// <summary>A CA made by openssl, with its key in PKCS#8 as openssl writes it.</summary>
    private (string Certificate, string Key) WriteExternalCa(string commonName)
    {
        var certificate = _directory.Combine(commonName + ".crt");
        var key = _directory.Combine(commonName + ".key");
        OpenSsl.RunChecked(
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "3650", "-subj", "/CN=" + commonName,
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,digitalSignature,keyEncipherment");
        return (certificate, key);
    }
}
