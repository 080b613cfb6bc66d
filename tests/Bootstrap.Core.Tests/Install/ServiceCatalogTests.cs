using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Tests.Workflow;

namespace Bootstrap.Core.Tests.Install;

public sealed class ServiceCatalogTests
{
    [Theory]
    [InlineData("192.168.56.10", 6443, "https://192.168.56.10:6443/readyz")]
    [InlineData("api.lab.example", 8443, "https://api.lab.example:8443/readyz")]
    [InlineData("fd00::10", 6443, "https://[fd00::10]:6443/readyz")]
    public void The_endpoint_is_checked_at_its_readyz_with_the_server_certificate_verified_against_the_cluster_ca(string host, int port, string url)
    {
        var config = WorkflowFixtures.LabConfig with { ControlPlaneEndpoint = new ControlPlaneEndpoint { Host = host, Port = port } };

        var health = ServiceCatalog.Endpoint(config).Health;

        Assert.Equal(["curl", "--silent", "--show-error", "--fail", "--max-time", "5", "--cacert", "/etc/kubernetes/pki/ca.crt", url], health.Argv);
    }

    [Theory]
    [InlineData("192.168.56.21", "https://192.168.56.21:6443/readyz")]
    [InlineData("fd00::21", "https://[fd00::21]:6443/readyz")]
    public void An_api_server_is_checked_at_its_own_address_not_through_the_endpoint(string address, string url)
    {
        var health = ServiceCatalog.ApiServer(System.Net.IPAddress.Parse(address), behindManagedLoadBalancer: true).Health;

        Assert.Equal(["curl", "--silent", "--show-error", "--fail", "--max-time", "5", "--cacert", "/etc/kubernetes/pki/ca.crt", url], health.Argv);
        Assert.True(health.Sudo);
    }
}
