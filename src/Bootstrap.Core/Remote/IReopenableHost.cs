namespace Bootstrap.Core.Remote;

/// <summary>
/// A connection that can open another one to the same host, so that a run may close it while it is idle and
/// reconnect when the host is next used (<see cref="ConnectionPool"/>). A host without a connection to hold (the
/// workstation) does not implement it.
/// </summary>
public interface IReopenableHost : IRemoteHost
{
    /// <summary>
    /// Opens a new connection to the same host, made and verified exactly like this one (the same credentials, the
    /// same host-key checks, and the host key this one was given must be presented again). Works after this connection
    /// was closed: it needs nothing of it but how it was made. A failure names the host.
    /// </summary>
    Task<IReopenableHost> ReopenAsync(CancellationToken cancellationToken);
}
