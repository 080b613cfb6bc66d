using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;
using Serilog;

namespace Bootstrap.Cli.Workflow;

/// <summary>Connections for commands that work with the hosts that answer (state pull, etcd status and snapshots).</summary>
internal static class HostConnections
{
    /// <summary>Connects to each host on its own: the hosts that answer, by name; the others with why, each also logged as a warning.</summary>
    public static async Task<(Dictionary<string, IRemoteHost> Connected, Dictionary<string, string> Failed)> ConnectEachAsync(
        IHostConnector connector, IReadOnlyList<HostSpec> hosts, SecretRedactor redactor, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(hosts);
        var attempts = hosts.Select(async host =>
        {
            try
            {
                return (host.Name, Host: await connector.ConnectAsync(host, cancellationToken).ConfigureAwait(false), Error: (string?)null);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var message = redactor.Redact(e.Message);
                logger.Warning("[{Phase}] {Host}: {Error}", "connect", host.Name, message);
                return (host.Name, Host: (IRemoteHost?)null, Error: message);
            }
        });
        var results = await Task.WhenAll(attempts).ConfigureAwait(false);
        return (
            results.Where(r => r.Host is not null).ToDictionary(r => r.Name, r => r.Host!, StringComparer.Ordinal),
            results.Where(r => r.Host is null).ToDictionary(r => r.Name, r => r.Error!, StringComparer.Ordinal));
    }

    public static async Task CloseAsync(IEnumerable<IRemoteHost> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        foreach (var host in hosts)
        {
            await host.DisposeAsync().ConfigureAwait(false);
        }
    }
}
