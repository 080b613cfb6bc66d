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

    /// <summary>How long a command may run when it does not set its own <c>RemoteCommand.Timeout</c>.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A transfer (upload or download) fails once no bytes moved for this long, whatever its size.</summary>
    public TimeSpan TransferStallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often an idle connection sends an SSH keep-alive.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The ssh-agent socket whose keys are offered after <see cref="PrivateKeyPath"/>'s, or null for none.
    /// The keys never leave the agent: it signs.
    /// </summary>
    public string? AgentSocket { get; init; }

    public int ConnectAttempts { get; init; } = 3;

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public IReadOnlyList<string> HostKeyFingerprints { get; init; } = [];

    public SshHostSettings? Bastion { get; init; }

    public override string ToString() => $"{Name} ({User}@{Address}:{Port})";
}
