using System.Net.Sockets;
using Bootstrap.Core.Remote;
using Bootstrap.Ssh.HostKeys;
using Renci.SshNet;
using Renci.SshNet.Common;
using Serilog;

namespace Bootstrap.Ssh;

/// <summary>
/// Opens verified SSH.NET clients to one endpoint, retrying transient network and session errors with backoff. The
/// host key must satisfy <paramref name="trust"/> and be the one <paramref name="pin"/> holds for the host (the key
/// the run's first connection to it was given).
/// </summary>
internal sealed class SshConnector(
    SshHostSettings settings,
    SshCredentials credentials,
    HostKeyTrust trust,
    HostKeyPin pin,
    SecretRedactor redactor,
    ILogger log,
    string address,
    int port)
{
    /// <param name="ready">
    /// Run on each new connection before it counts as made (e.g. a first command): a transient failure
    /// there is retried like a failed connect, on a new connection.
    /// </param>
    public async Task<T> ConnectAsync<T>(Func<ConnectionInfo, T> create, CancellationToken cancellationToken, Func<T, CancellationToken, Task>? ready = null)
        where T : BaseClient
    {
        var attempts = Math.Max(1, settings.ConnectAttempts);
        for (var attempt = 1; ; attempt++)
        {
            var client = create(credentials.ToConnectionInfo(settings.User, address, port, settings.ConnectTimeout));

            // Keeps idle connections through NAT and firewalls, and makes a peer that lost the connection
            // (a rebooted host answers with a reset) known before the next call uses it.
            client.KeepAliveInterval = settings.KeepAliveInterval;
            HostKeyVerificationException? refused = null;
            client.HostKeyReceived += (_, e) =>
            {
                try
                {
                    // Through a bastion we dial a local tunnel, but the key must be the target's own.
                    trust.Verify(settings.Name, settings.Address, settings.Port, e.HostKey, settings.HostKeyFingerprints);
                    pin.Check(settings.Name, settings.Address, settings.Port, e.HostKey);
                    e.CanTrust = true;
                }
                catch (HostKeyVerificationException error)
                {
                    refused = error;
                    e.CanTrust = false;
                }
            };

            try
            {
                // Key exchange, authentication and the first command's channel wait on this thread (BlockingCalls).
                using (BlockingCalls.Enter())
                {
                    await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
                    if (ready is not null)
                    {
                        await ready(client, cancellationToken).ConfigureAwait(false);
                    }
                }

                return client;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                client.Dispose();
                if (refused is not null)
                {
                    throw refused;
                }

                var where = $"{settings.User}@{settings.Address}:{settings.Port}";
                if (e is SshAuthenticationException)
                {
                    throw new SshConnectException(settings.Name,
                        $"{settings.Name}: authentication as {where} failed: {redactor.Redact(e.Message)}", isAuthenticationFailure: true, e);
                }

                if (!IsTransient(e) || attempt >= attempts)
                {
                    throw new SshConnectException(settings.Name,
                        $"{settings.Name}: cannot connect to {where} (attempt {attempt} of {attempts}): {redactor.Redact(e.Message)}", isAuthenticationFailure: false, e);
                }

                var delay = settings.RetryDelay * Math.Pow(2, attempt - 1);
                log.Warning("{Host}: connecting to {Endpoint} failed ({Error}); retry {Attempt} of {Attempts} in {Delay}",
                    settings.Name, where, redactor.Redact(e.Message), attempt + 1, attempts, delay);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static bool IsTransient(Exception e) =>
        e is SocketException or SshConnectionException or SshOperationTimeoutException or ProxyException or IOException or TimeoutException
            or OperationCanceledException; // a connect timeout surfaces as a cancellation of SSH.NET's own token
}
