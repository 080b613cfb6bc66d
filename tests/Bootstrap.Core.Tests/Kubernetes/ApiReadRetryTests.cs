using System.Net;
using Bootstrap.Core.Kubernetes;

namespace Bootstrap.Core.Tests.Kubernetes;

/// <summary>
/// <see cref="ApiReadRetry"/>: a read that hangs (an API server whose etcd is gone) or is answered 502/503/504 is tried again,
/// at most three times; a write never is; the caller's own cancellation is never taken for a timeout.
/// </summary>
public sealed class ApiReadRetryTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task A_read_that_hangs_is_given_up_at_its_bound_and_tried_again()
    {
        var server = new Server(Hang, Answer(HttpStatusCode.OK));

        using var response = await SendAsync(server, HttpMethod.Get);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, server.Tries);
        Assert.True(server.FirstWasCancelled);
    }

    [Theory]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.BadGateway)]
    public async Task A_read_answered_by_a_server_that_cannot_serve_is_tried_again(HttpStatusCode status)
    {
        var server = new Server(Answer(status), Answer(HttpStatusCode.OK));

        using var response = await SendAsync(server, HttpMethod.Get);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, server.Tries);
    }

    [Fact]
    public async Task A_read_is_tried_three_times_at_most_and_the_last_answer_is_the_callers()
    {
        var server = new Server(Answer(HttpStatusCode.GatewayTimeout), Answer(HttpStatusCode.GatewayTimeout), Answer(HttpStatusCode.GatewayTimeout), Answer(HttpStatusCode.OK));

        using var response = await SendAsync(server, HttpMethod.Get);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(ApiReadRetry.Attempts, server.Tries);
    }

    [Fact]
    public async Task A_read_that_hangs_every_time_fails_as_a_timeout_after_three_tries()
    {
        var server = new Server(Hang, Hang, Hang);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SendAsync(server, HttpMethod.Get));

        Assert.Equal(ApiReadRetry.Attempts, server.Tries);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public async Task A_write_is_never_tried_again(string method)
    {
        var server = new Server(Answer(HttpStatusCode.GatewayTimeout), Answer(HttpStatusCode.OK));

        using var response = await SendAsync(server, new HttpMethod(method));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal(1, server.Tries);
    }

    [Fact]
    public async Task Every_request_goes_over_http_1_1_so_a_try_given_up_takes_its_connection_with_it()
    {
        var server = new Server(Answer(HttpStatusCode.OK), Answer(HttpStatusCode.Created));
        using var handler = new ApiReadRetry(Bound) { InnerHandler = server };
        using var client = new HttpMessageInvoker(handler);

        using var read = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://api.test/version") { Version = HttpVersion.Version20 }, CancellationToken.None);
        using var write = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "https://api.test/api/v1/namespaces") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher }, CancellationToken.None);

        Assert.Equal([(HttpVersion.Version11, HttpVersionPolicy.RequestVersionOrLower), (HttpVersion.Version11, HttpVersionPolicy.RequestVersionOrLower)], server.Versions);
    }

    [Fact]
    public async Task The_callers_cancellation_ends_the_read_without_another_try()
    {
        var server = new Server(Hang, Answer(HttpStatusCode.OK));
        using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        using var handler = new ApiReadRetry(TimeSpan.FromSeconds(30)) { InnerHandler = server };
        using var client = new HttpMessageInvoker(handler);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://api.test/version"), caller.Token));

        Assert.Equal(1, server.Tries);
    }

    private static async Task<HttpResponseMessage> SendAsync(Server server, HttpMethod method)
    {
        using var handler = new ApiReadRetry(Bound) { InnerHandler = server };
        using var client = new HttpMessageInvoker(handler);
        using var request = new HttpRequestMessage(method, "https://api.test/api/v1/nodes");
        return await client.SendAsync(request, CancellationToken.None);
    }

    private static Func<CancellationToken, Task<HttpResponseMessage>> Answer(HttpStatusCode status) => _ => Task.FromResult(new HttpResponseMessage(status));

    private static async Task<HttpResponseMessage> Hang(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Answers each try with the next of <paramref name="tries"/>; counts them.</summary>
    private sealed class Server(params Func<CancellationToken, Task<HttpResponseMessage>>[] tries) : HttpMessageHandler
    {
        private int _tries;

        public int Tries => Volatile.Read(ref _tries);

        public bool FirstWasCancelled { get; private set; }

        public List<(Version, HttpVersionPolicy)> Versions { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var index = Interlocked.Increment(ref _tries) - 1;
            lock (Versions)
            {
                Versions.Add((request.Version, request.VersionPolicy));
            }

            try
            {
                return await tries[index](cancellationToken);
            }
            catch (OperationCanceledException) when (index == 0)
            {
                FirstWasCancelled = true;
                throw;
            }
        }
    }
}
