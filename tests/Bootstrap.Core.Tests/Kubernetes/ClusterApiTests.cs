using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Pki;
using k8s;

namespace Bootstrap.Core.Tests.Kubernetes;

public sealed class ClusterApiTests
{
    [Fact]
    public async Task An_api_that_refuses_connections_does_not_answer_and_a_plan_does_not_hang_on_it()
    {
        using var api = new ClusterApi(Encoding.UTF8.GetBytes(RefusingKubeconfig("not-a-real-token")));

        Assert.False(await api.AnswersAsync(TimeSpan.FromSeconds(5), CancellationToken.None));
    }

    [Fact]
    public void The_kubeconfig_bootstrap_writes_gives_the_client_the_settings_the_client_librarys_reader_gives()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=kubernetes", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddHours(1));
        using var userKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var user = new CertificateRequest("CN=kubernetes-admin, O=system:masters", userKey, HashAlgorithmName.SHA256)
            .Create(ca, now.AddHours(-1), now.AddMinutes(30), [1, 2, 3]);
        var kubeconfig = new KubeconfigFile("kubernetes", "https://192.0.2.10:6443", ca.ExportCertificatePem(), "kubernetes-admin",
            user.ExportCertificatePem(), userKey.ExportPkcs8PrivateKeyPem()).Render();

        var ours = ClusterApi.Configuration(kubeconfig);
        using var stream = new MemoryStream(kubeconfig);
        var library = KubernetesClientConfiguration.BuildConfigFromConfigFile(stream);

        Assert.Equal("https://192.0.2.10:6443", ours.Host);
        Assert.Equal(library.Host, ours.Host);
        Assert.Equal([ca.Thumbprint], ours.SslCaCerts.Select(c => c.Thumbprint));
        Assert.Equal(library.SslCaCerts.Select(c => c.Thumbprint), ours.SslCaCerts.Select(c => c.Thumbprint));
        Assert.Equal(library.ClientCertificateData, ours.ClientCertificateData);
        Assert.Equal(library.ClientCertificateKeyData, ours.ClientCertificateKeyData);
        Assert.Equal(library.SkipTlsVerify, ours.SkipTlsVerify);
        Assert.Null(ours.AccessToken);
        using var client = new k8s.Kubernetes(ours);
    }

    [Fact]
    public void Any_other_kubeconfig_is_read_by_the_client_librarys_reader()
    {
        var configuration = ClusterApi.Configuration(Encoding.UTF8.GetBytes(RefusingKubeconfig("a-token-user")));

        Assert.Equal("a-token-user", configuration.AccessToken);
        Assert.True(configuration.SkipTlsVerify);
    }

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("apiVersion: v1\nclusters: [\n  - {name: x\n", "While parsing")]
    public void An_admin_conf_that_is_not_a_kubeconfig_is_a_damaged_state_file_not_an_internal_error(string text, string reason)
    {
        // The client library's reader threw ArgumentNullException (empty) or a YAML exception (broken), and `token list` said
        // "internal error … please report it".
        var refused = Assert.Throws<PkiStateException>(() => ClusterApi.Configuration(Encoding.UTF8.GetBytes(text)));

        Assert.StartsWith("the admin.conf of the cluster state is not a kubeconfig (", refused.Message, StringComparison.Ordinal);
        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
        Assert.EndsWith("`bootstrap certs renew admin.conf` writes it anew from the cluster's CA", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>An admin.conf (token user) whose server is a loopback port that was free a moment ago: nothing listens there.</summary>
    internal static string RefusingKubeconfig(string token)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
                server: https://127.0.0.1:{port}
                insecure-skip-tls-verify: true
            users:
            - name: u
              user:
                token: {token}
            contexts:
            - name: u@c
              context:
                cluster: c
                user: u
            current-context: u@c
            """;
    }
}
