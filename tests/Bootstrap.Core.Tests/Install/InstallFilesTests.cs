using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Phases.Install;
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
        _material = await InstallMaterial.LoadAsync(_config, dryRun: false, new SecretRedactor(), TimeProvider.System, Http, CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_state, recursive: true);
        return Task.CompletedTask;
    }

    private IReadOnlyDictionary<string, DesiredFile> CertificatesOf(string host) =>
        InstallFiles.Certificates(_material, _config.Host(host)).ToDictionary(f => f.Path);

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
    public void Etcd_member_certificates_are_distinct_per_host_owned_by_etcd_and_keys_are_0600()
    {
        var cp1 = CertificatesOf("cp1");
        var cp2 = CertificatesOf("cp2");

        foreach (var pair in new[] { "server", "peer" })
        {
            var key = $"/etc/kubernetes/pki/etcd/{pair}.key";
            var crt = $"/etc/kubernetes/pki/etcd/{pair}.crt";
            Assert.NotEqual(cp1[crt].Sha256, cp2[crt].Sha256);
            Assert.Equal(("etcd", 0b110_000_000), (cp1[key].Spec.Owner, cp1[key].Spec.Mode));
            Assert.Equal(("etcd", 0b110_100_100), (cp1[crt].Spec.Owner, cp1[crt].Spec.Mode));
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
        Assert.DoesNotContain(_config.Host("w1"), InstallSteps.Certs().Targets(_config));

        var files = new InstallFiles(new TemplateRenderer()).LoadBalancer(_material, _config.Host("lb1"), "eth0");

        Assert.Equal(["/etc/haproxy/haproxy.cfg", "/etc/keepalived/keepalived.conf"], files.Select(f => f.Path));
        Assert.Equal(0b110_000_000, files[1].Spec.Mode);
    }

    [Fact]
    public void Binaries_go_where_they_run()
    {
        Assert.Equal(
            ["etcd", "etcdctl", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "kubelet", "kube-proxy"],
            InstallSteps.BinariesFor(_config, _config.Host("cp1")));
        Assert.Empty(InstallSteps.BinariesFor(_config, _config.Host("lb1")));
    }

    [Fact]
    public async Task The_encryption_key_and_VRRP_password_are_made_once_kept_0600_and_registered_as_secrets()
    {
        var redactor = new SecretRedactor();
        var again = await InstallMaterial.LoadAsync(_config, dryRun: false, redactor, TimeProvider.System, Http, CancellationToken.None);

        Assert.Equal(_material.EncryptionKey, again.EncryptionKey);
        Assert.Equal(32, again.EncryptionKey.Length);
        Assert.Equal(_material.VrrpPassword, again.VrrpPassword);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_state, InstallMaterial.VrrpPasswordFile)));
        Assert.Equal("vrrp [REDACTED]", redactor.Redact("vrrp " + again.VrrpPassword));
    }

    [Fact]
    public async Task A_dry_run_on_an_empty_state_previews_the_PKI_and_writes_nothing()
    {
        var empty = Path.Combine(_state, "empty");

        var preview = await InstallMaterial.LoadAsync(_config with { StateDirectory = empty }, dryRun: true, new SecretRedactor(), TimeProvider.System, Http, CancellationToken.None);

        Assert.False(Directory.Exists(empty));
        Assert.Contains("pki/ca.crt", preview.Pki.WrittenFiles);
        Assert.Equal(22, InstallFiles.Certificates(preview, _config.Host("cp1")).Count);
    }
}
