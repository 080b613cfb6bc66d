namespace Bootstrap.Core.Config;

/// <summary>How unknown SSH host keys are treated. Host-key checking cannot be turned off.</summary>
public enum HostKeyPolicy
{
    /// <summary><c>strict</c>: the key must be pinned or already in known_hosts.</summary>
    Strict,

    /// <summary><c>accept-new</c>: a host not yet in known_hosts is trusted on first use and recorded; a changed key is refused.</summary>
    AcceptNew,
}
