using Bootstrap.Core.Remote;
using Bootstrap.Ssh.HostKeys;
using Serilog;

namespace Bootstrap.Ssh;

/// <summary>Connects to many hosts at once, at most <c>maxConcurrency</c> at a time, with a result per host.</summary>
public static class SshFanOut
{
    public static Task<IReadOnlyList<HostResult<SshHost>>> ConnectAllAsync(
        IReadOnlyList<SshHostSettings> hosts,
        HostKeyTrust trust,
        SecretRedactor redactor,
        ILogger logger,
        int maxConcurrency,
        CancellationToken cancellationToken) =>
        HostFanOut.RunAsync(
            hosts,
            settings => settings.Name,
            (settings, token) => SshHost.ConnectAsync(settings, trust, redactor, logger, token),
            maxConcurrency,
            cancellationToken);
}
