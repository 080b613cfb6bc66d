using System.Net;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// Bounds each read of the API (a GET) and tries it again when it times out, its connection fails, or the API server answers
/// 502, 503 or 504. The control-plane endpoint is a TCP load balancer: a connection it gave to an API server that lost its
/// etcd (a member stopped, a host failing) holds every request on it until that server gives up after its own 60 s request
/// timeout, and the client's until its 100 s; a read given up here closes its connection, and the next try gets another
/// connection, which the load balancer gives to a ready server once its checks dropped that one (a few seconds). Every request
/// goes over HTTP/1.1, one request per connection at a time: over HTTP/2 the client multiplexes all of them on one connection,
/// which the load balancer pinned to one server, and a try given up only resets its stream, so every try went to the same
/// server (seen on the lab: three tries of each read, 15 s apart, all on the API server whose etcd was stopped). Writes are
/// never tried again: one that timed out may have been done, and the phase that wrote reads the object again on the next run.
/// </summary>
internal sealed class ApiReadRetry : DelegatingHandler
{
    /// <summary>How long one try of a read may take before it is given up (an answer's body streams after this).</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Tries of one read, the first included.</summary>
    public const int Attempts = 3;

    private readonly TimeSpan _attemptTimeout;

    public ApiReadRetry()
        : this(AttemptTimeout)
    {
    }

    /// <summary>For tests: another bound per try.</summary>
    internal ApiReadRetry(TimeSpan attemptTimeout) => _attemptTimeout = attemptTimeout;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Version = HttpVersion.Version11;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        if (request.Method != HttpMethod.Get || request.Content is not null)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        for (var attempt = 1; ; attempt++)
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(_attemptTimeout);
            var last = attempt == Attempts;
            try
            {
                // A GET has no content, so the same message can be sent again (the handlers below keep no state of it).
                var response = await base.SendAsync(request, bound.Token).ConfigureAwait(false);
                if (last || response.StatusCode is not (HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout))
                {
                    return response;
                }

                response.Dispose();
            }
            catch (OperationCanceledException) when (!last && !cancellationToken.IsCancellationRequested)
            {
                // This try ran into its bound: its connection is closed, the next one is new.
            }
            catch (HttpRequestException) when (!last)
            {
                // The connection failed (reset, refused): another one may reach another server.
            }
        }
    }
}
