using Bootstrap.Core.Remote;

namespace Bootstrap.Ssh;

/// <summary>Everything needed to reach one host, after merging its own settings over the cluster defaults.</summary>
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

    /// <summary>The host's own values, else the cluster's, else the built-in defaults.</summary>
    public static SshHostSettings Resolve(string name, string address, SshOptions host, SshOptions cluster)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(cluster);
        var builtIn = new SshHostSettings { Name = name, Address = address };
        return builtIn with
        {
            Port = host.Port ?? cluster.Port ?? builtIn.Port,
            User = host.User ?? cluster.User ?? builtIn.User,
            PrivateKeyPath = host.PrivateKeyPath ?? cluster.PrivateKeyPath,
            Passphrase = host.Passphrase ?? cluster.Passphrase,
            Password = host.Password ?? cluster.Password,
            SudoPassword = host.SudoPassword ?? cluster.SudoPassword,
            ConnectTimeout = host.ConnectTimeout ?? cluster.ConnectTimeout ?? builtIn.ConnectTimeout,
            ConnectAttempts = host.ConnectAttempts ?? cluster.ConnectAttempts ?? builtIn.ConnectAttempts,
            RetryDelay = host.RetryDelay ?? cluster.RetryDelay ?? builtIn.RetryDelay,
            // Fingerprints belong to one machine; a cluster-wide pin would be a mistake.
            HostKeyFingerprints = host.HostKeyFingerprints ?? [],
            Bastion = host.Bastion ?? cluster.Bastion,
        };
    }

    public override string ToString() => $"{Name} ({User}@{Address}:{Port})";
}
