using Bootstrap.Core.Remote;

namespace Bootstrap.Ssh;

/// <summary>Everything needed to reach one host. The cluster file's loader has already merged the host's own SSH settings over the cluster defaults.</summary>
public sealed record SshHostSettings
{
    public required string Name { get; init; }

    public required string Address { get; init; }

    public int Port { get; init; } = 22;

    public string User { get; init; } = "root";

    public string? PrivateKeyPath { get; init; }

    public SecretSource? Passphrase { get; init; }

    public SecretSource? Password { get; init; }

    public SecretSource? SudoPassword { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public int ConnectAttempts { get; init; } = 3;

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public IReadOnlyList<string> HostKeyFingerprints { get; init; } = [];

    public SshHostSettings? Bastion { get; init; }

    public override string ToString() => $"{Name} ({User}@{Address}:{Port})";
}
