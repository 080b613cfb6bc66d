using System.Globalization;
using System.Text;
using Bootstrap.Core.Remote;
using Bootstrap.Ssh.HostKeys;
using Renci.SshNet;
using Renci.SshNet.Common;
using Serilog;

namespace Bootstrap.Ssh;

/// <summary>
/// A host reached over SSH (SSH.NET), optionally through a bastion. Commands are sent as one
/// POSIX-quoted word list; root commands get <c>sudo -n</c>, or <c>sudo -S</c> with the password
/// written to standard input (never on the command line) when the login user is not root.
/// Files go over SFTP into a temp file beside the target and are renamed into place.
/// </summary>
public sealed class SshHost : IRemoteHost
{
    private readonly SshHostSettings _settings;
    private readonly SecretRedactor _redactor;
    private readonly ILogger _log;
    private readonly Func<CancellationToken, Task<SftpClient>> _connectSftp;
    private readonly SemaphoreSlim _sftpGate = new(1, 1);
    private readonly SshClient _ssh;
    private readonly SshHost? _bastion;
    private readonly ForwardedPortLocal? _tunnel;
    private string? _sudoPassword;
    private SftpClient? _sftp;

    private SshHost(
        SshHostSettings settings,
        SecretRedactor redactor,
        ILogger log,
        SshClient ssh,
        Func<CancellationToken, Task<SftpClient>> connectSftp,
        SshHost? bastion,
        ForwardedPortLocal? tunnel,
        string? sudoPassword)
    {
        _settings = settings;
        _redactor = redactor;
        _log = log;
        _ssh = ssh;
        _connectSftp = connectSftp;
        _bastion = bastion;
        _tunnel = tunnel;
        _sudoPassword = sudoPassword;
    }

    public string Name => _settings.Name;

    /// <summary>Whether the login user is root (then no sudo is needed).</summary>
    public bool IsRoot { get; private set; }

    /// <summary>
    /// Connects (through the bastion when one is set), verifying the host key with <paramref name="trust"/>;
    /// the connection counts once a first command has run on it. Transient network errors and a first
    /// command that does not finish within the connect timeout are retried on a new connection with
    /// exponential backoff; authentication and host-key failures never are. Secrets are read from
    /// their sources and registered with <paramref name="redactor"/> first.
    /// </summary>
    public static async Task<SshHost> ConnectAsync(SshHostSettings settings, HostKeyTrust trust, SecretRedactor redactor, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(trust);
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(logger);

        var credentials = await SshCredentials.ResolveAsync(settings, redactor, cancellationToken).ConfigureAwait(false);
        SshHost? bastion = null;
        ForwardedPortLocal? tunnel = null;
        try
        {
            var (address, port) = (settings.Address, settings.Port);
            if (settings.Bastion is { } jump)
            {
                bastion = await ConnectAsync(jump, trust, redactor, logger, cancellationToken).ConfigureAwait(false);
                tunnel = new ForwardedPortLocal("127.0.0.1", 0, settings.Address, (uint)settings.Port);
                bastion._ssh.AddForwardedPort(tunnel);
                tunnel.Start();
                (address, port) = ("127.0.0.1", (int)tunnel.BoundPort);
            }

            var connector = new SshConnector(settings, credentials, trust, redactor, logger, address, port);
            var uid = string.Empty;
            var ssh = await connector.ConnectAsync(
                info => new SshClient(info),
                cancellationToken,
                async (client, token) => uid = await UserIdAsync(client, settings.ConnectTimeout, token).ConfigureAwait(false)).ConfigureAwait(false);
            var host = new SshHost(settings, redactor, logger, ssh,
                token => connector.ConnectAsync(info => new SftpClient(info), token), bastion, tunnel, credentials.SudoPassword);
            try
            {
                await host.DetectPrivilegesAsync(uid, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await host.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            logger.Information("{Host}: connected as {User}@{Address}:{Port}{Via}", settings.Name, settings.User, settings.Address, settings.Port,
                settings.Bastion is null ? string.Empty : " via " + settings.Bastion.Name);
            return host;
        }
        catch when (bastion is not null)
        {
            tunnel?.Dispose();
            await bastion.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task<CommandResult> RunAsync(RemoteCommand command, CancellationToken cancellationToken)
    {
        var (exitCode, stdout, stderr) = await RunRawAsync(command, cancellationToken).ConfigureAwait(false);
        return new CommandResult(exitCode, _redactor.Redact(Encoding.UTF8.GetString(stdout)), _redactor.Redact(stderr));
    }

    public Task<UploadResult> UploadAsync(Stream content, FileSpec target, CancellationToken cancellationToken) =>
        AtomicInstall.UploadAsync(this, content, target, WriteTempAsync, _redactor, _log, cancellationToken);

    public async Task<byte[]?> DownloadAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var sftp = await SftpAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var buffer = new MemoryStream();
            await sftp.DownloadFileAsync(path, buffer, cancellationToken).ConfigureAwait(false);
            return buffer.ToArray();
        }
        catch (SftpPathNotFoundException)
        {
            return null;
        }
        catch (SftpPermissionDeniedException) when (!IsRoot)
        {
            var (exitCode, stdout, stderr) = await RunRawAsync(new RemoteCommand(["cat", "--", path], sudo: true), cancellationToken).ConfigureAwait(false);
            if (exitCode == 0)
            {
                return stdout;
            }

            throw new IOException($"{Name}: cannot read {path} as root: {_redactor.Redact(stderr).Trim()}");
        }
        catch (SshException e)
        {
            throw new IOException($"{Name}: cannot download {path}: {_redactor.Redact(e.Message)}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _sftp?.Dispose();
        _ssh.Dispose();
        _tunnel?.Dispose();
        if (_bastion is not null)
        {
            await _bastion.DisposeAsync().ConfigureAwait(false);
        }

        _sftpGate.Dispose();
    }

    /// <summary>
    /// <c>id -u</c> on a new connection, within the connect timeout: a host can accept the login and
    /// still not run a session in time (an overloaded sshd), which is retried like a failed connect.
    /// </summary>
    private static async Task<string> UserIdAsync(SshClient client, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        using var id = client.CreateCommand("id -u");
        try
        {
            await id.ExecuteAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"`id -u` did not finish within {timeout.TotalSeconds:0.#} s"));
        }

        return id.ExitStatus == 0 ? id.Result.Trim() : string.Empty;
    }

    private async Task DetectPrivilegesAsync(string uid, CancellationToken cancellationToken)
    {
        IsRoot = uid == "0";
        if (IsRoot || _sudoPassword is null)
        {
            return;
        }

        // With NOPASSWD, `sudo -S` would not read the password and the command would get it on its
        // standard input; so a password is only ever sent where sudo really asks for one.
        var passwordless = await RunAsync(RemoteCommand.Of("sudo", "-n", "true"), cancellationToken).ConfigureAwait(false);
        if (passwordless.Succeeded)
        {
            _sudoPassword = null;
        }
    }

    private async Task<(int ExitCode, byte[] Stdout, string Stderr)> RunRawAsync(RemoteCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var display = command.ToDisplayString(_redactor);
        var text = command.ToShellString();
        var stdin = command.Stdin;
        if (command.Sudo && !IsRoot)
        {
            if (_sudoPassword is null)
            {
                text = "sudo -n -- " + text;
            }
            else
            {
                // -k: always ask, so the password line is never left over for the command to read;
                // -p '': no prompt text in stderr; the password is the first line of stdin.
                text = "sudo -k -S -p '' -- " + text;
                stdin = [.. Encoding.UTF8.GetBytes(_sudoPassword + "\n"), .. stdin ?? []];
            }
        }

        _log.Debug("{Host}: running {Command}", Name, display);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (command.Timeout is { } limit)
        {
            timeout.CancelAfter(limit);
        }

        if (!_ssh.IsConnected)
        {
            throw new SshConnectException(Name, $"{Name}: the connection is closed; cannot run `{display}`.", isAuthenticationFailure: false);
        }

        using var ssh = _ssh.CreateCommand(text, Encoding.UTF8);
        try
        {
            var running = ssh.ExecuteAsync(timeout.Token);
            await SendInputAsync(ssh, stdin, timeout.Token).ConfigureAwait(false);
            await running.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{Name}: `{display}` did not finish within {command.Timeout}.");
        }
        catch (SshException e)
        {
            throw new SshConnectException(Name, $"{Name}: `{display}` failed: {_redactor.Redact(e.Message)}", false, e);
        }

        using var stdout = new MemoryStream();
        await ssh.OutputStream.CopyToAsync(stdout, cancellationToken).ConfigureAwait(false);
        var exitCode = ssh.ExitStatus ?? (ssh.ExitSignal is null ? -1 : 128 + SignalNumber(ssh.ExitSignal));
        _log.Debug("{Host}: {Command} exited {ExitCode}", Name, display, exitCode);
        return (exitCode, stdout.ToArray(), ssh.Error);
    }

    /// <summary>
    /// Writes the command's standard input, if any, and closes it (EOF). SSH.NET opens the channel
    /// synchronously inside ExecuteAsync, so a channel that is no longer open here means the command
    /// has already finished and there is nothing left to send.
    /// </summary>
    private static async Task SendInputAsync(SshCommand ssh, byte[]? stdin, CancellationToken cancellationToken)
    {
        Stream input;
        try
        {
            input = ssh.CreateInputStream();
        }
        catch (InvalidOperationException)
        {
            return;
        }

        await using (input.ConfigureAwait(false))
        {
            if (stdin is not null)
            {
                await input.WriteAsync(stdin, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task WriteTempAsync(LocalContent content, string temp, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(content, temp, cancellationToken).ConfigureAwait(false);
        }
        catch (SshException e)
        {
            throw new IOException($"{Name}: uploading to {temp} failed: {_redactor.Redact(e.Message)}", e);
        }
    }

    private async Task SendAsync(LocalContent content, string temp, CancellationToken cancellationToken)
    {
        var sftp = await SftpAsync(cancellationToken).ConfigureAwait(false);
        if (IsRoot)
        {
            await sftp.UploadFileAsync(content.Rewind(), temp, true, Progress(temp, content.Length), cancellationToken).ConfigureAwait(false);
            return;
        }

        // SFTP runs as the login user, who cannot write next to root's files: stage in the user's
        // own temp file, then copy it into the root-owned temp file with sudo.
        var staged = (await this.RunCheckedAsync(RemoteCommand.Of("mktemp"), _redactor, cancellationToken).ConfigureAwait(false)).Stdout.Trim();
        try
        {
            await sftp.UploadFileAsync(content.Rewind(), staged, true, Progress(staged, content.Length), cancellationToken).ConfigureAwait(false);
            await this.RunCheckedAsync(new RemoteCommand(["cp", "--", staged, temp], sudo: true), _redactor, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await AtomicInstall.RemoveQuietlyAsync(this, staged, sudo: false).ConfigureAwait(false);
        }
    }

    private Progress<UploadFileProgressReport> Progress(string path, long length)
    {
        var progress = new UploadProgress(_log, Name, path, length);
        return new Progress<UploadFileProgressReport>(report => progress.Report(report.TotalBytesUploaded));
    }

    private async Task<SftpClient> SftpAsync(CancellationToken cancellationToken)
    {
        await _sftpGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_sftp is { IsConnected: true })
            {
                return _sftp;
            }

            _sftp?.Dispose();
            _sftp = await _connectSftp(cancellationToken).ConfigureAwait(false);
            return _sftp;
        }
        finally
        {
            _sftpGate.Release();
        }
    }

    private static int SignalNumber(string signal) => signal switch
    {
        "HUP" => 1,
        "INT" => 2,
        "KILL" => 9,
        "TERM" => 15,
        _ => 0,
    };
}
