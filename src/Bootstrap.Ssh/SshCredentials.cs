using Bootstrap.Core.Remote;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Bootstrap.Ssh;

/// <summary>The secrets a connection needs, read once from their sources and registered for redaction.</summary>
internal sealed record SshCredentials(PrivateKeyFile? Key, string? Password, string? SudoPassword)
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
                var hint = e is SshPassPhraseNullOrEmptyException ? " (it is encrypted: set a passphrase source)" : string.Empty;
                throw new SshConnectException(settings.Name,
                    $"{settings.Name}: cannot load the private key {path}{hint}: {redactor.Redact(e.Message)}", isAuthenticationFailure: true);
            }
        }

        if (key is null && password is null)
        {
            throw new SshConnectException(settings.Name, $"{settings.Name}: neither a private key nor a password is configured.", isAuthenticationFailure: true);
        }

        return new SshCredentials(key, password, sudoPassword);
    }

    public ConnectionInfo ToConnectionInfo(string user, string address, int port, TimeSpan timeout)
    {
        var methods = new List<AuthenticationMethod>();
        if (Key is not null)
        {
            methods.Add(new PrivateKeyAuthenticationMethod(user, Key));
        }

        if (Password is not null)
        {
            methods.Add(new PasswordAuthenticationMethod(user, Password));
        }

        return new ConnectionInfo(address, port, user, [.. methods]) { Timeout = timeout };
    }

    // The record's generated ToString would print the password.
    public override string ToString() => "SshCredentials";
}
