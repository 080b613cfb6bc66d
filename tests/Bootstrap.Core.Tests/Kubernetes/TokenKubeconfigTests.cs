using System.Text;
using Bootstrap.Core.Kubernetes;
using k8s;

namespace Bootstrap.Core.Tests.Kubernetes;

public sealed class TokenKubeconfigTests
{
    private const string CaPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

    [Fact]
    public void The_kubeconfig_reads_back_with_the_endpoint_the_ca_and_the_token()
    {
        var config = LabCluster.Load();
        var token = BootstrapToken.Parse("abcdef.0123456789abcdef");

        var text = TokenKubeconfig.Build(config, CaPem, "tls-bootstrap-token-user", token.Value);

        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
        var loaded = KubernetesClientConfiguration.LoadKubeConfig(stream);
        var cluster = Assert.Single(loaded.Clusters);
        Assert.Equal("https://192.168.56.10:6443", cluster.ClusterEndpoint.Server);
        Assert.Equal(CaPem, Encoding.ASCII.GetString(Convert.FromBase64String(cluster.ClusterEndpoint.CertificateAuthorityData)));
        var user = Assert.Single(loaded.Users);
        Assert.Equal("tls-bootstrap-token-user", user.Name);
        Assert.Equal("abcdef.0123456789abcdef", user.UserCredentials.Token);
        Assert.Equal("tls-bootstrap-token-user@lab", loaded.CurrentContext);
    }
}
