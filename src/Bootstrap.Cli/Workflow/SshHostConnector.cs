using System.Collections.Concurrent;
using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;
using Bootstrap.Ssh;
using Bootstrap.Ssh.HostKeys;
using Serilog;

namespace Bootstrap.Cli.Workflow;

/// <summary>Connects to cluster-file hosts with Bootstrap.Ssh: each host's effective SSH settings, host keys always verified.</summary>
internal sealed class SshHostConnector : IHostConnector
{
    private readonly SecretRedactor _redactor;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<(string KnownHosts, HostKeyPolicy Policy), HostKeyTrust> _trust = new();

    private readonly bool _acceptNew;

    /// <param name="acceptNew"><c>--accept-new</c>: trust on first use for every host, whatever the cluster file's hostKeyPolicy.</param>
    public SshHostConnector(SecretRedactor redactor, ILogger logger, bool acceptNew = false)
    {
        _redactor = redactor;
        _logger = logger;
        _acceptNew = acceptNew;
    }

    public async Task<IRemoteHost> ConnectAsync(HostSpec host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        // One trust per known_hosts file and policy, so hosts sharing a file also share its lock.
        var policy = _acceptNew ? HostKeyPolicy.AcceptNew : host.Ssh.HostKeyPolicy;
        var trust = _trust.GetOrAdd((host.Ssh.KnownHostsFile, policy),
            key => new HostKeyTrust(key.KnownHosts, key.Policy == HostKeyPolicy.AcceptNew, _logger));
        return await SshHost.ConnectAsync(Settings(host), trust, _redactor, _logger, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The cluster file's effective SSH settings of <paramref name="host"/>, in Bootstrap.Ssh's terms.</summary>
    public static SshHostSettings Settings(HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var ssh = host.Ssh;
        return new SshHostSettings
        {
            Name = host.Name,
            Address = host.Address.ToString(),
            Port = ssh.Port,
            User = ssh.User,
            PrivateKeyPath = ssh.IdentityFile,
            Passphrase = Source(ssh.IdentityPassphrase, $"Passphrase for {ssh.IdentityFile}"),
            AgentSocket = AgentSocket(ssh.Agent, host.Name),
            Password = Source(ssh.Password, $"SSH password for {ssh.User}@{host.Name}"),
            ConnectTimeout = ssh.ConnectTimeout,
            CommandTimeout = ssh.CommandTimeout,
            TransferStallTimeout = ssh.TransferStallTimeout,
            HostKeyFingerprints = ssh.HostKeyFingerprints,
            Bastion = ssh.Bastion is { } bastion ? Bastion(bastion, ssh) : null,
        };
    }

    private static SshHostSettings Bastion(BastionSpec bastion, SshSettings target)
    {
        var user = bastion.User ?? target.User;
        var key = bastion.IdentityFile ?? target.IdentityFile;
        var passphrase = bastion.IdentityFile is null ? bastion.IdentityPassphrase ?? target.IdentityPassphrase : bastion.IdentityPassphrase;
        return new SshHostSettings
        {
            Name = "bastion " + bastion.Address,
            Address = bastion.Address,
            Port = bastion.Port,
            User = user,
            PrivateKeyPath = key,
            Passphrase = Source(passphrase, $"Passphrase for {key}"),
            AgentSocket = AgentSocket(target.Agent, "bastion " + bastion.Address),
            Password = Source(bastion.Password, $"SSH password for {user}@{bastion.Address} (bastion)"),
            ConnectTimeout = target.ConnectTimeout,
            CommandTimeout = target.CommandTimeout,
            TransferStallTimeout = target.TransferStallTimeout,
            HostKeyFingerprints = bastion.HostKeyFingerprints,
        };
    }

    /// <summary>
    /// ssh-agent as OpenSSH uses it: on when <c>SSH_AUTH_SOCK</c> is set, unless the cluster file says
    /// <c>agent: false</c>; <c>agent: true</c> without the variable is an error naming the host.
    /// </summary>
    private static string? AgentSocket(bool? agent, string host)
    {
        var socket = Environment.GetEnvironmentVariable("SSH_AUTH_SOCK") is { Length: > 0 } value ? value : null;
        return agent switch
        {
            false => null,
            true when socket is null => throw new SshConnectException(host,
                $"{host}: ssh.agent is true but SSH_AUTH_SOCK is not set: start ssh-agent and add the key with ssh-add, or set agent: false.",
                isAuthenticationFailure: true),
            _ => socket,
        };
    }

    private static SecretSource? Source(SecretReference? reference, string prompt) => reference?.Kind switch
    {
        null => null,
        SecretReferenceKind.Environment => SecretSource.FromEnvironment(reference.Target!),
        SecretReferenceKind.File => SecretSource.FromFile(reference.Target!),
        _ => SecretSource.FromPrompt(prompt),
    };
}
