using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Phases.Certs;
using Bootstrap.Core.Pki;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Rendering;

namespace Bootstrap.Core.Tests.Install;

/// <summary>What each host gets, from a real PKI generated into a temp state directory (ECDSA keys, for speed).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class InstallFilesTests : IAsyncLifetime
{
    private static readonly HttpClient Http = new();
    private readonly string _state = Directory.CreateTempSubdirectory("bootstrap-install-").FullName;
    private ClusterConfig _config = null!;
    private InstallMaterial _material = null!;

    public async Task InitializeAsync()
    {
        var lab = LabCluster.Load();
        _config = lab with
        {
            StateDirectory = _state,
            Certificates = lab.Certificates with { KeyAlgorithm = KeyAlgorithm.EcdsaP256 },
        };
        await (await StatePlan.CreateAsync(_config, TimeProvider.System, CancellationToken.None)).CommitAsync(CancellationToken.None);
        _material = await InstallMaterial.LoadAsync(_config, new SecretRedactor(), Http, CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_state, recursive: true);
        return Task.CompletedTask;
    }

    private IReadOnlyDictionary<string, DesiredFile> CertificatesOf(string host) =>
        InstallFiles.Certificates(_material, _config.Host(host)).ToDictionary(f => f.Path);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_etcd_unit_loads_every_key_pair_its_flags_name_from_systemds_credentials_for_a_new_or_a_joining_member(bool joining)
    {
        var cp1 = _config.Host("cp1");
        var initial = joining
            ? Bootstrap.Core.ControlPlane.EtcdInitialCluster.New(_config) with { State = Bootstrap.Core.ControlPlane.EtcdClusterState.Existing }
            : Bootstrap.Core.ControlPlane.EtcdInitialCluster.New(_config);
        var unit = new InstallFiles(new TemplateRenderer()).EtcdUnit(_material, cp1, initial);
        using var content = new StreamReader(await unit.Open(CancellationToken.None));
        var text = await content.ReadToEndAsync();

        foreach (var (flag, file) in new[] { ("cert-file", "server.crt"), ("key-file", "server.key"), ("peer-cert-file", "peer.crt"), ("peer-key-file", "peer.key") })
        {
            Assert.Contains($"--{flag}=/run/credentials/etcd.service/{file}", text, StringComparison.Ordinal);
            Assert.Contains($"LoadCredential={file}:/etc/kubernetes/pki/etcd/{file}", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_control_plane_host_gets_the_same_CAs_and_service_account_keys()
    {
        string[] shared =
        [
            "ca.crt", "ca.key", "sa.key", "sa.pub", "front-proxy-ca.crt", "front-proxy-ca.key", "etcd/ca.crt", "etcd/ca.key",
            "apiserver.crt", "apiserver-kubelet-client.crt", "apiserver-etcd-client.crt", "front-proxy-client.crt",
        ];
        var cps = new[] { "cp1", "cp2", "cp3" }.Select(CertificatesOf).ToArray();

        foreach (var name in shared.Select(n => "/etc/kubernetes/pki/" + n))
        {
            Assert.Single(cps.Select(files => files[name].Sha256).Distinct());
        }
    }

    [Fact]
    public void Etcd_member_certificates_are_distinct_per_host_owned_by_root_and_keys_are_0600()
    {
        var cp1 = CertificatesOf("cp1");
        var cp2 = CertificatesOf("cp2");

        foreach (var pair in new[] { "server", "peer" })
        {
            var key = $"/etc/kubernetes/pki/etcd/{pair}.key";
            var crt = $"/etc/kubernetes/pki/etcd/{pair}.crt";
            Assert.NotEqual(cp1[crt].Sha256, cp2[crt].Sha256);
            Assert.Equal(("root", "root", 0b110_000_000), (cp1[key].Spec.Owner, cp1[key].Spec.Group, cp1[key].Spec.Mode));
            Assert.Equal(("root", "root", 0b110_100_100), (cp1[crt].Spec.Owner, cp1[crt].Spec.Group, cp1[crt].Spec.Mode));
        }

        Assert.All(cp1.Values.Where(f => f.Path.EndsWith(".key", StringComparison.Ordinal)), f => Assert.Equal(0b110_000_000, f.Spec.Mode));
        Assert.All(cp1.Values.Where(f => f.Path.EndsWith(".crt", StringComparison.Ordinal)), f => Assert.Equal(0b110_100_100, f.Spec.Mode));
        Assert.Equal("root", cp1["/etc/kubernetes/pki/etcd/healthcheck-client.key"].Spec.Owner);
    }

    [Fact]
    public void Load_balancers_and_workers_get_no_certificates_and_load_balancers_a_0600_keepalived_conf()
    {
        Assert.Empty(CertificatesOf("lb1"));
        Assert.Empty(CertificatesOf("w1"));
        Assert.DoesNotContain("w1", new CertsPhase().Targets(_config).Select(t => t.Name));

        var files = new InstallFiles(new TemplateRenderer()).LoadBalancer(_material, _config.Host("lb1"), "eth0");

        Assert.Equal(["/etc/haproxy/haproxy.cfg", "/etc/keepalived/keepalived.conf"], files.Select(f => f.Path));
        Assert.Equal(0b110_000_000, files[1].Spec.Mode);
    }

    [Fact]
    public void Binaries_go_where_they_run()
    {
        Assert.Equal(
            ["etcd", "etcdctl", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "kubelet", "kube-proxy"],
            InstallFiles.BinariesFor(_config, _config.Host("cp1")));
        Assert.Empty(InstallFiles.BinariesFor(_config, _config.Host("lb1")));
    }

    [Fact]
    public async Task The_encryption_key_and_VRRP_password_are_made_once_kept_0600_and_registered_as_secrets()
    {
        var redactor = new SecretRedactor();
        var plan = await StatePlan.CreateAsync(_config, TimeProvider.System, CancellationToken.None);
        var again = await InstallMaterial.LoadAsync(_config, redactor, Http, CancellationToken.None);

        Assert.Empty(plan.Files);
        Assert.Equal(_material.EncryptionKeys.Single().Secret, again.EncryptionKeys.Single().Secret);
        Assert.Equal(("key1", 32), (again.EncryptionKeys[0].Name, again.EncryptionKeys[0].Secret.Length));
        Assert.Equal(_material.VrrpPassword, again.VrrpPassword);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_state, ClusterSecrets.VrrpPasswordFile)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_state, ClusterSecrets.EncryptionKeysFile)));
        Assert.Equal("vrrp [REDACTED]", redactor.Redact("vrrp " + again.VrrpPassword));
        Assert.Equal("key [REDACTED]", redactor.Redact("key " + Convert.ToBase64String(again.EncryptionKeys[0].Secret)));
    }

    [Theory]
    [InlineData(ClusterSecrets.EncryptionKeysFile, "the encryption-at-rest key")]
    [InlineData(ClusterSecrets.VrrpPasswordFile, "the load balancers' VRRP password")]
    public async Task A_secret_missing_from_an_existing_state_is_never_made_again_and_the_error_says_how_to_recover_it(string file, string what)
    {
        File.Delete(Path.Combine(_state, file));

        var error = await Assert.ThrowsAsync<PkiStateException>(() => StatePlan.CreateAsync(_config, TimeProvider.System, CancellationToken.None));

        Assert.Contains(what, error.Message, StringComparison.Ordinal);
        Assert.Contains("bootstrap state pull -f CLUSTER_FILE --from CONTROL_PLANE_HOST", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_state, file)));
    }

    [Fact]
    public async Task A_state_of_an_older_version_with_one_encryption_key_file_reads_it_as_key1()
    {
        var keys = await File.ReadAllTextAsync(Path.Combine(_state, ClusterSecrets.EncryptionKeysFile));
        File.Delete(Path.Combine(_state, ClusterSecrets.EncryptionKeysFile));
        await File.WriteAllTextAsync(Path.Combine(_state, ClusterSecrets.LegacyEncryptionKeyFile), keys.Split(' ')[1]);

        var material = await InstallMaterial.LoadAsync(_config, new SecretRedactor(), Http, CancellationToken.None);

        Assert.Equal("key1", material.EncryptionKeys.Single().Name);
        Assert.Equal(_material.EncryptionKeys[0].Secret, material.EncryptionKeys[0].Secret);
    }

    [Fact]
    public async Task A_plan_of_an_empty_state_previews_the_PKI_and_the_secrets_and_writes_nothing()
    {
        var empty = Path.Combine(_state, "empty");
        var config = _config with { StateDirectory = empty };

        var plan = await StatePlan.CreateAsync(config, TimeProvider.System, CancellationToken.None);
        var preview = await InstallMaterial.LoadAsync(config, new SecretRedactor(), Http, CancellationToken.None, plan.Pending);

        Assert.False(Directory.Exists(empty));
        Assert.Contains("pki/ca.crt", plan.Pki.WrittenFiles);
        Assert.Equal([ClusterSecrets.EncryptionKeysFile, ClusterSecrets.VrrpPasswordFile, "request.json"], plan.Files.Select(f => f.Path).TakeLast(3));
        Assert.Equal(22, InstallFiles.Certificates(preview, _config.Host("cp1")).Count);
    }

    [Fact]
    public async Task Reading_a_state_without_a_PKI_never_creates_one_and_says_what_to_run()
    {
        var empty = Path.Combine(_state, "nothing");

        var error = await Assert.ThrowsAsync<PkiStateException>(() => InstallMaterial.LoadAsync(_config with { StateDirectory = empty }, new SecretRedactor(), Http, CancellationToken.None));

        Assert.Contains("bootstrap certs generate", error.Message, StringComparison.Ordinal);
        Assert.Contains("bootstrap state pull", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(empty));
    }
}
