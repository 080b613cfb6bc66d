using Bootstrap.Core.Remote;
using Bootstrap.Ssh.Agent;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Bootstrap.Ssh;

/// <summary>
/// The secrets a connection needs, read once from their sources and registered for redaction, and the
/// keys ssh-agent offers (only their public halves: the agent signs).
/// </summary>
internal sealed record SshCredentials(PrivateKeyFile? Key, IReadOnlyList<AgentKey> AgentKeys, string? Password, string? SudoPassword)
{
    public static async Task<SshCredentials> ResolveAsync(SshHostSettings settings, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        var password = settings.Password is null ? null : await settings.Password.ResolveAsync(redactor, cancellationToken).ConfigureAwait(false);
        var sudoPassword = settings.SudoPassword is null ? password : await settings.SudoPassword.ResolveAsync(redactor, cancellationToken).ConfigureAwait(false);
        PrivateKeyFile? key = null;
        if (settings.PrivateKeyPath is { } path)
        {
            var passphrase = settings.Passphrase is null ? null : await settings.Passphrase.ResolveAsync(redactor, cancellationToken).ConfigureAwait(false);
            try
            {
                key = new PrivateKeyFile(path, passphrase);
            }
            catch (Exception e) when (e is SshException or IOException or UnauthorizedAccessException or ArgumentException or FormatException)
            {
                var hint = e is SshPassPhraseNullOrEmptyException ? " (it is encrypted: set identityPassphrase)" : string.Empty;
                throw new SshConnectException(settings.Name,
                    $"{settings.Name}: cannot load the private key {path}{hint}: {redactor.Redact(e.Message)}", isAuthenticationFailure: true);
            }
        }

        var agentKeys = await AgentKeysAsync(settings, fallbackExists: key is not null || password is not null, cancellationToken).ConfigureAwait(false);
        if (key is null && agentKeys.Count == 0 && password is null)
        {
            throw new SshConnectException(settings.Name,
                settings.AgentSocket is null
                    ? $"{settings.Name}: neither a private key nor a password is configured, and no ssh-agent is in use (SSH_AUTH_SOCK)."
                    : $"{settings.Name}: no private key or password is configured, and ssh-agent at {settings.AgentSocket} holds no usable key (add one with ssh-add).",
                isAuthenticationFailure: true);
        }

        return new SshCredentials(key, agentKeys, password, sudoPassword);
    }

    public ConnectionInfo ToConnectionInfo(string user, string address, int port, TimeSpan timeout)
    {
        var methods = new List<AuthenticationMethod>();

        // The configured key first, then the agent's keys, in the agent's order.
        IPrivateKeySource[] keys = [.. Key is null ? [] : new IPrivateKeySource[] { Key }, .. AgentKeys];
        if (keys.Length > 0)
        {
            methods.Add(new PrivateKeyAuthenticationMethod(user, keys));
        }

        if (Password is not null)
        {
            methods.Add(new PasswordAuthenticationMethod(user, Password));
        }

        return SshAlgorithms.Prefer(new ConnectionInfo(address, port, user, [.. methods]) { Timeout = timeout });
    }

    // The record's generated ToString would print the password.
    public override string ToString() => "SshCredentials";

    /// <summary>
    /// The agent's usable keys. An agent that cannot be asked is an error only when nothing else could log
    /// in; otherwise the configured key or password is tried alone, as OpenSSH does.
    /// </summary>
    private static async Task<IReadOnlyList<AgentKey>> AgentKeysAsync(SshHostSettings settings, bool fallbackExists, CancellationToken cancellationToken)
    {
        if (settings.AgentSocket is not { } socket)
        {
            return [];
        }

        var agent = new SshAgentClient(socket);
        try
        {
            var identities = await Task.Run(agent.ListIdentities, cancellationToken).ConfigureAwait(false);
            return [.. identities.Select(identity => AgentKey.From(agent, identity)).OfType<AgentKey>()];
        }
        catch (Exception e) when (fallbackExists && e is IOException or System.Net.Sockets.SocketException)
        {
            return [];
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            throw new SshConnectException(settings.Name, $"{settings.Name}: cannot use ssh-agent at {socket}: {e.Message}", isAuthenticationFailure: true, e);
        }
    }
}
