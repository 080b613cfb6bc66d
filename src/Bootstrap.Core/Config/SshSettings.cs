namespace Bootstrap.Core.Config;

/// <summary>
/// How to reach a host over SSH. <c>spec.ssh</c> gives the defaults; each host's <c>ssh</c>
/// overrides them field by field, and <see cref="HostSpec.Ssh"/> holds the result.
/// </summary>
public sealed record SshSettings
{
    public required string User { get; init; }

    public required int Port { get; init; }

    /// <summary>An absolute path to a private key.</summary>
    public string? IdentityFile { get; init; }

    /// <summary>A reference to the passphrase of <see cref="IdentityFile"/>; never the passphrase itself.</summary>
    public SecretReference? IdentityPassphrase { get; init; }

    /// <summary>Whether keys held by ssh-agent (<c>SSH_AUTH_SOCK</c>) are offered; null: when the variable is set.</summary>
    public bool? Agent { get; init; }

    /// <summary>A reference to the login password; never the password itself.</summary>
    public SecretReference? Password { get; init; }

    /// <summary>The OpenSSH known_hosts file used and, with accept-new, written; absolute.</summary>
    public required string KnownHostsFile { get; init; }

    public required HostKeyPolicy HostKeyPolicy { get; init; }

    /// <summary>Pinned host-key fingerprints (<c>SHA256:…</c>); when present the host's key must match one of them.</summary>
    public required IReadOnlyList<string> HostKeyFingerprints { get; init; }

    public BastionSpec? Bastion { get; init; }

    public required TimeSpan ConnectTimeout { get; init; }

    /// <summary>How long a command may run unless it sets its own limit.</summary>
    public required TimeSpan CommandTimeout { get; init; }

    /// <summary>A transfer fails after this long without progress, whatever its size.</summary>
    public required TimeSpan TransferStallTimeout { get; init; }
}
