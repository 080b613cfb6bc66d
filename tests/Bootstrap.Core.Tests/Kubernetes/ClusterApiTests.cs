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
        // A port that was free a moment ago: nothing listens there.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var kubeconfig = $"""
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
                token: not-a-real-token
            contexts:
            - name: u@c
              context:
                cluster: c
                user: u
            current-context: u@c
            """;
        using var api = new ClusterApi(Encoding.UTF8.GetBytes(kubeconfig));

        Assert.False(await api.AnswersAsync(TimeSpan.FromSeconds(5), CancellationToken.None));
    }
}
