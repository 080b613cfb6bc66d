namespace Bootstrap.Core.Config;

/// <summary>A jump host SSH connections go through.</summary>
public sealed record BastionSpec
{
    /// <summary>An IP address or DNS name.</summary>
    public required string Address { get; init; }

    public required int Port { get; init; }

    /// <summary>The login user; the target's user when null.</summary>
    public string? User { get; init; }

    /// <summary>An absolute path to a private key; the target's identity file when null.</summary>
    public string? IdentityFile { get; init; }

    /// <summary>A reference to the passphrase of <see cref="IdentityFile"/>.</summary>
    public SecretReference? IdentityPassphrase { get; init; }

    public SecretReference? Password { get; init; }

    /// <summary>Pinned host-key fingerprints of the bastion, <c>SHA256:…</c> as ssh-keygen -l prints them.</summary>
    public required IReadOnlyList<string> HostKeyFingerprints { get; init; }
}
