namespace Bootstrap.Core.Config.Parsing;

/// <summary>The SSH fields written at one level (spec.ssh or a host's ssh); null means "not written here".</summary>
internal sealed record SshFields
{
    public string? User { get; init; }

    public int? Port { get; init; }

    public string? IdentityFile { get; init; }

    public SecretReference? IdentityPassphrase { get; init; }

    public bool? Agent { get; init; }

    public SecretReference? Password { get; init; }

    public string? KnownHostsFile { get; init; }

    public HostKeyPolicy? HostKeyPolicy { get; init; }

    public IReadOnlyList<string>? HostKeyFingerprints { get; init; }

    public BastionSpec? Bastion { get; init; }

    public TimeSpan? ConnectTimeout { get; init; }

    public TimeSpan? CommandTimeout { get; init; }

    public TimeSpan? TransferStallTimeout { get; init; }

    /// <summary>Only at spec.ssh.</summary>
    public int? Concurrency { get; init; }

    /// <summary>These fields applied over <paramref name="defaults"/>.</summary>
    public SshSettings Over(SshSettings defaults) => new()
    {
        User = User ?? defaults.User,
        Port = Port ?? defaults.Port,
        IdentityFile = IdentityFile ?? defaults.IdentityFile,

        // A host's own key comes with its own passphrase (or none), not the default key's.
        IdentityPassphrase = IdentityFile is null ? IdentityPassphrase ?? defaults.IdentityPassphrase : IdentityPassphrase,
        Agent = Agent ?? defaults.Agent,
        Password = Password ?? defaults.Password,
        KnownHostsFile = KnownHostsFile ?? defaults.KnownHostsFile,
        HostKeyPolicy = HostKeyPolicy ?? defaults.HostKeyPolicy,
        HostKeyFingerprints = HostKeyFingerprints ?? defaults.HostKeyFingerprints,
        Bastion = Bastion ?? defaults.Bastion,
        ConnectTimeout = ConnectTimeout ?? defaults.ConnectTimeout,
        CommandTimeout = CommandTimeout ?? defaults.CommandTimeout,
        TransferStallTimeout = TransferStallTimeout ?? defaults.TransferStallTimeout,
    };
}
