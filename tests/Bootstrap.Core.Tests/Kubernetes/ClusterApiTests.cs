using System.Net;
using System.Net.Sockets;
using System.Text;
using Bootstrap.Core.Kubernetes;

namespace Bootstrap.Core.Tests.Kubernetes;

public sealed class ClusterApiTests
{
    [Fact]
    public async Task An_api_that_refuses_connections_does_not_answer_and_a_plan_does_not_hang_on_it()
    {
        using var api = new ClusterApi(Encoding.UTF8.GetBytes(RefusingKubeconfig("not-a-real-token")));

        Assert.False(await api.AnswersAsync(TimeSpan.FromSeconds(5), CancellationToken.None));
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
