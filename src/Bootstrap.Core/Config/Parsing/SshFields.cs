namespace Bootstrap.Core.Config.Parsing;

/// <summary>The SSH fields written at one level (spec.ssh or a host's ssh); null means "not written here".</summary>
internal sealed record SshFields
{
    public string? User { get; init; }

    public int? Port { get; init; }

    public string? IdentityFile { get; init; }

    public SecretReference? Password { get; init; }

    public string? KnownHostsFile { get; init; }

    public HostKeyPolicy? HostKeyPolicy { get; init; }

    public IReadOnlyList<string>? HostKeyFingerprints { get; init; }

    public BastionSpec? Bastion { get; init; }

    public TimeSpan? ConnectTimeout { get; init; }

    /// <summary>Only at spec.ssh.</summary>
    public int? Concurrency { get; init; }

    /// <summary>These fields applied over <paramref name="defaults"/>.</summary>
    public SshSettings Over(SshSettings defaults) => new()
    {
        User = User ?? defaults.User,
        Port = Port ?? defaults.Port,
        IdentityFile = IdentityFile ?? defaults.IdentityFile,
        Password = Password ?? defaults.Password,
        KnownHostsFile = KnownHostsFile ?? defaults.KnownHostsFile,
        HostKeyPolicy = HostKeyPolicy ?? defaults.HostKeyPolicy,
        HostKeyFingerprints = HostKeyFingerprints ?? defaults.HostKeyFingerprints,
        Bastion = Bastion ?? defaults.Bastion,
        ConnectTimeout = ConnectTimeout ?? defaults.ConnectTimeout,
    };
}
