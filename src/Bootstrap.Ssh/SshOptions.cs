using Bootstrap.Core.Remote;

namespace Bootstrap.Ssh;

/// <summary>
/// One layer of SSH settings as the cluster file gives them: every value optional. A host's own
/// layer wins over the cluster-level defaults; <see cref="SshHostSettings.Resolve"/> merges them.
/// Secrets are sources (environment variable, file, prompt), never values.
/// </summary>
public sealed record SshOptions
{
    public int? Port { get; init; }

    public string? User { get; init; }

    /// <summary>An OpenSSH-format private key (ed25519, RSA or ECDSA).</summary>
    public string? PrivateKeyPath { get; init; }

    public SecretSource? Passphrase { get; init; }

    public SecretSource? Password { get; init; }

    /// <summary>For <c>sudo -S</c>; when unset, the login password (if any) is used, else <c>sudo -n</c>.</summary>
    public SecretSource? SudoPassword { get; init; }

    public TimeSpan? ConnectTimeout { get; init; }

    /// <summary>Connection attempts for transient network errors; authentication failures are never retried.</summary>
    public int? ConnectAttempts { get; init; }

    public TimeSpan? RetryDelay { get; init; }

    /// <summary>Pinned host key fingerprints, <c>SHA256:base64</c> as <c>ssh-keygen -l</c> prints them.</summary>
    public IReadOnlyList<string>? HostKeyFingerprints { get; init; }

    /// <summary>The jump host the target is reached through.</summary>
    public SshHostSettings? Bastion { get; init; }
}
