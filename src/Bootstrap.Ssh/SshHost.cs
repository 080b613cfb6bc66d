using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Bootstrap.Core.Kubernetes;
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
/// Files go into a temp file beside the target and are renamed into place: streamed on the command
/// connection into the standard input of <c>dd</c>, run as root (through <c>sudo</c> when the login user is not root),
/// which writes the root-owned temp file, so nothing is ever staged where the login user could read it. Files are read
/// out of <c>cat</c> run as root on the same connection. A host has one connection: no second handshake (SFTP's)
/// for a transfer.
/// <para>
/// Every call is bounded: a command by its own timeout or <see cref="SshHostSettings.CommandTimeout"/>,
/// a transfer by <see cref="SshHostSettings.TransferStallTimeout"/> without progress. A call that runs out
/// returns at once with a <see cref="TimeoutException"/> naming the host and the operation, whatever the
/// library underneath is still waiting for; the host is then asked for a trivial command, and when that
/// gets no answer within the connect timeout the connections are closed and every later call fails at
/// once, so nothing keeps waiting on a host that stopped answering. A command given up on (its timeout passed on a host that
/// still answers, or the caller cancelled) is stopped on the host with everything it started (<see cref="RemoteInvocation.Stop"/>),
/// never left running there with its channel open.
/// </para>
/// <para>
/// A run may close the connection of an idle host and make a new one when it next needs the host
/// (<see cref="ReopenAsync"/>, for <see cref="ConnectionPool"/>): with the secrets read for the first connection, the
/// same trust, and the host key of the first connection pinned (<see cref="HostKeyPin"/>).
/// </para>
/// </summary>
public sealed class SshHost : IReopenableHost
{
    private readonly Recipe _recipe;
    private readonly SshHostSettings _settings;
    private readonly SecretRedactor _redactor;
    private readonly ILogger _log;

    // One upload's bytes at a time per host: side by side uploads (a host's binaries are staged up to four at a time)
    // overlap their host commands (temp file, check, rename) with the one transfer, not transfers with each other. Four
    // transfers at once (then through the host's SFTP session) took 21 s for a control plane's 472 MB in the lab, one at a
    // time 10 s.
    private readonly SemaphoreSlim _transferGate = new(1, 1);
    private readonly SshClient _ssh;
    private readonly SshHost? _bastion;
    private readonly ForwardedPortLocal? _tunnel;
    private string? _sudoPassword;
    private volatile string? _givenUp;
    private Task _closing = Task.CompletedTask;

    private SshHost(
        Recipe recipe,
        SshClient ssh,
        SshHost? bastion,
        ForwardedPortLocal? tunnel,
        string? sudoPassword)
    {
        _recipe = recipe;
        _settings = recipe.Settings;
        _redactor = recipe.Redactor;
        _log = recipe.Log;
        _ssh = ssh;
        _bastion = bastion;
        _tunnel = tunnel;
        _sudoPassword = sudoPassword;
    }

    public string Name => _settings.Name;

    /// <summary>
    /// Whether the command connection is up as far as this side knows: false once the peer reset or closed
    /// it (the keep-alive finds that out on an idle connection) or once the host was given up.
    /// </summary>
    public bool IsConnected => _givenUp is null && Connected(_ssh);

    /// <summary>
    /// The cipher the command connection negotiated, with its MAC when the cipher is no AEAD
    /// (<c>aes128-gcm@openssh.com</c>, <c>aes256-ctr hmac-sha2-256-etm@openssh.com</c>); see <see cref="SshAlgorithms"/>.
    /// </summary>
    public string Encryption => Negotiated(_ssh.ConnectionInfo);

    /// <summary>The key exchange and the host-key signature the command connection negotiated (<c>sntrup761x25519-sha512 ssh-ed25519</c>).</summary>
    public string KeyAgreement => $"{_ssh.ConnectionInfo.CurrentKeyExchangeAlgorithm} {_ssh.ConnectionInfo.CurrentHostKeyAlgorithm}";

    /// <summary>Whether the login user is root (then no sudo is needed).</summary>
    public bool IsRoot { get; private set; }

    /// <summary>The fingerprint of the host key this host presented when first connected: every later connection to it must present the same.</summary>
    public string HostKeyFingerprint => _recipe.Pin.Fingerprint ?? throw new InvalidOperationException($"{Name}: no host key was verified");

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
        var bastion = settings.Bastion is { } jump ? await ConnectAsync(jump, trust, redactor, logger, cancellationToken).ConfigureAwait(false) : null;
        var host = await OpenAsync(new Recipe(settings, credentials, trust, new HostKeyPin(), redactor, logger), bastion, previous: null, cancellationToken)
            .ConfigureAwait(false);
        logger.Information("{Host}: connected as {User}@{Address}:{Port}{Via}", settings.Name, settings.User, settings.Address, settings.Port,
            settings.Bastion is null ? string.Empty : " via " + settings.Bastion.Name);
        return host;
    }

    /// <summary>
    /// A new connection to this host (and to its bastion, if any), made like this one: the credentials read for the first
    /// connection (nothing is asked again), the same trust, and the host key the first connection was given — any other
    /// key is refused, even one known_hosts would accept. Works after this connection was closed.
    /// </summary>
    public async Task<IReopenableHost> ReopenAsync(CancellationToken cancellationToken) => await ReopenSshAsync(cancellationToken).ConfigureAwait(false);

    private async Task<SshHost> ReopenSshAsync(CancellationToken cancellationToken)
    {
        var bastion = _bastion is null ? null : await _bastion.ReopenSshAsync(cancellationToken).ConfigureAwait(false);
        var host = await OpenAsync(_recipe, bastion, previous: this, cancellationToken).ConfigureAwait(false);
        _log.Debug("{Host}: connected again as {User}@{Address}:{Port}", Name, _settings.User, _settings.Address, _settings.Port);
        return host;
    }

    /// <summary>
    /// Opens the connections of <paramref name="recipe"/>'s host, through <paramref name="bastion"/> when given (then owned
    /// by the new host, and closed if this fails). A reopening keeps what <paramref name="previous"/> learnt of sudo.
    /// </summary>
    private static async Task<SshHost> OpenAsync(Recipe recipe, SshHost? bastion, SshHost? previous, CancellationToken cancellationToken)
    {
        var settings = recipe.Settings;
        ForwardedPortLocal? tunnel = null;
        try
        {
            var (address, port) = (settings.Address, settings.Port);
            if (bastion is not null)
            {
                tunnel = new ForwardedPortLocal("127.0.0.1", 0, settings.Address, (uint)settings.Port);
                bastion._ssh.AddForwardedPort(tunnel);
                tunnel.Start();
                (address, port) = ("127.0.0.1", (int)tunnel.BoundPort);
            }

            var connector = new SshConnector(settings, recipe.Credentials, recipe.Trust, recipe.Pin, recipe.Redactor, recipe.Log, address, port);
            var uid = string.Empty;
            var ssh = await connector.ConnectAsync(
                info => new SshClient(info),
                cancellationToken,
                async (client, token) => uid = await UserIdAsync(client, settings.ConnectTimeout, token).ConfigureAwait(false)).ConfigureAwait(false);
            var host = new SshHost(recipe, ssh, bastion, tunnel,
                previous is null ? recipe.Credentials.SudoPassword : previous._sudoPassword);
            try
            {
                await host.DetectPrivilegesAsync(uid, asked: previous is not null, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await host.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            recipe.Log.Debug("{Host}: encryption {Encryption}, key exchange and host key {KeyAgreement}", settings.Name, host.Encryption, host.KeyAgreement);
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

    public Task<UploadResult> UploadAsync(Stream content, FileSpec target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return AtomicInstall.UploadAsync(this, content, target, (local, temp, token) => WriteTempAsync(local, temp, target.Path, token), _redactor, _log, cancellationToken,
            runWithInput: async (command, local, token) =>
            {
                // A small file, or one the host is known to lack: one command (no probe, no temp file made apart, no separate transfer).
                // A large one is a transfer: its progress is reported, and it passes its bytes when no other upload to the host does
                // (the gate is released once they are sent, while the host checks them).
                var large = local.Length > AtomicInstall.OneCommandLimit;
                var gate = large ? await TransferGateAsync(token).ConfigureAwait(false) : null;
                try
                {
                    var (exitCode, stdout, stderr) = await ExecuteAsync(
                        command, local, large ? new UploadProgress(_log, Name, target.Path, local.Length) : null, "upload of " + target.Path, token,
                        inputSent: gate is null ? null : gate.Dispose).ConfigureAwait(false);
                    return new CommandResult(exitCode, _redactor.Redact(Encoding.UTF8.GetString(stdout)), _redactor.Redact(stderr));
                }
                finally
                {
                    gate?.Dispose();
                }
            });
    }

    /// <summary>Small files in a few root commands side by side, not one each: <see cref="AtomicInstall.UploadSmallAsync"/>.</summary>
    public Task<IReadOnlyList<UploadOutcome>> UploadSmallAsync(IReadOnlyList<SmallUpload> files, CancellationToken cancellationToken) =>
        AtomicInstall.UploadSmallAsync(this, files, _redactor, _log, cancellationToken);

    /// <summary>
    /// A small file's content, read as root on the command connection (<see cref="RemoteFileRead"/>: a regular file only, of
    /// bounded size; bounded in time by the command timeout); null when it does not exist. Large files stream through
    /// <see cref="DownloadToAsync"/>.
    /// </summary>
    public async Task<byte[]?> DownloadAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (exitCode, stdout, stderr) = await ExecuteAsync(
            RemoteFileRead.Command(path), input: null, progress: null, "download of " + path, cancellationToken).ConfigureAwait(false);
        if (exitCode == 0)
        {
            return RemoteFileRead.TooLarge(stdout.Length) ? throw new IOException(RemoteFileRead.TooLargeMessage(Name, path)) : stdout;
        }

        // cat's own "No such file or directory" (exit 1); env failing to find cat exits 127 and is an error.
        return exitCode == 1 && stderr.Contains("No such file or directory", StringComparison.Ordinal)
            ? null
            : throw new IOException($"{Name}: cannot read {path} as root: {_redactor.Redact(stderr).Trim()}");
    }

    public async Task<bool> DownloadToAsync(string path, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(destination);

        // The size first, as root (the file may be root's alone), for the progress lines; a missing file ends here.
        var stat = await RunAsync(new RemoteCommand(["env", "LC_ALL=C", "stat", "-c", "%s", "--", path], sudo: true), cancellationToken).ConfigureAwait(false);
        if (!stat.Succeeded)
        {
            return stat.Stderr.Contains("No such file or directory", StringComparison.Ordinal)
                ? false
                : throw new RemoteCommandException(Name, $"stat {path}", stat);
        }

        var total = long.Parse(stat.Stdout.Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
        var progress = new UploadProgress(_log, Name, path, total, verb: "downloading");
        var operation = "download of " + path;
        // Streamed out of `cat` run as root (the file may be root's alone), never staged on the host.
        await StreamOutputAsync(new RemoteCommand(["cat", "--", path], sudo: true), destination, progress, operation, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        // Closing after giving up may still be stuck on a dead socket, and so may SSH.NET's own close: an upload to a host that
        // stopped reading can leave the socket's send buffer full, and the close then waits behind it to send its message, for
        // ever. Neither is waited for beyond a moment (the thread is released when the host's end goes away, or with the process).
        await Task.WhenAny(_closing, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
        await Task.WhenAny(Task.Run(() => Quietly(_ssh.Dispose), CancellationToken.None), Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
        _tunnel?.Dispose();
        if (_bastion is not null)
        {
            await _bastion.DisposeAsync().ConfigureAwait(false);
        }

        _transferGate.Dispose();
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
        catch (Exception e) when (e is OperationCanceledException or SshOperationTimeoutException && !cancellationToken.IsCancellationRequested)
        {
            // SSH.NET's own waits (the session channel opened, the command accepted) have the same limit as ours (the
            // command's end). Which step was reached tells a host that runs no session from one whose command or
            // session does not end.
            var step = e is SshOperationTimeoutException
                ? "the host did not open a session for it"
                : id.ExitStatus is { } status
                    ? string.Create(CultureInfo.InvariantCulture, $"it exited with status {status} but the host did not close its session")
                    : "the host accepted it but it did not exit";
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"`id -u` did not finish within {timeout.TotalSeconds:0.#} s: {step}"), e as SshOperationTimeoutException);
        }

        return id.ExitStatus == 0 ? id.Result.Trim() : string.Empty;
    }

    /// <param name="asked">Whether sudo was already asked on an earlier connection to the host (a reopening): not asked again.</param>
    private async Task DetectPrivilegesAsync(string uid, bool asked, CancellationToken cancellationToken)
    {
        IsRoot = uid == "0";
        if (IsRoot || asked || _sudoPassword is null)
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

    private Task<(int ExitCode, byte[] Stdout, string Stderr)> RunRawAsync(RemoteCommand command, CancellationToken cancellationToken) =>
        ExecuteAsync(command, input: null, progress: null, operation: null, cancellationToken);

    /// <summary>How long a cancelled call waits for the host to stop what it was running before the cancellation goes on.</summary>
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs <paramref name="command"/>, with <paramref name="input"/> (if any) streamed to its standard
    /// input after <see cref="RemoteCommand.Stdin"/>. Without input the command's timeout applies; with
    /// it, the transfer's stall timeout (<paramref name="operation"/> names it in the error).
    /// </summary>
    /// <param name="inputSent">Called once the input has all been sent (not when the command ends first).</param>
    /// <param name="stoppable">A command given up on is stopped on the host (<see cref="StopAsync"/>); false for that stop itself.</param>
    private async Task<(int ExitCode, byte[] Stdout, string Stderr)> ExecuteAsync(
        RemoteCommand command, LocalContent? input, UploadProgress? progress, string? operation, CancellationToken cancellationToken, Action? inputSent = null,
        bool stoppable = true)
    {
        ArgumentNullException.ThrowIfNull(command);
        var display = command.ToDisplayString(_redactor);
        var marker = RemoteInvocation.NewMarker();
        var invocation = RemoteInvocation.For(command, hasContent: input is not null, IsRoot, _sudoPassword, marker);
        _log.Debug("{Host}: running {Command}", Name, display);
        using var deadline = input is null
            ? OperationDeadline.Fixed(command.Timeout ?? _settings.CommandTimeout, cancellationToken)
            : OperationDeadline.Stall(_settings.TransferStallTimeout, cancellationToken);
        var what = operation ?? $"`{display}`";
        string Expired() => input is null
            ? $"{Name}: {what} did not finish within {GoDuration.ShortHuman(deadline.Limit)}."
            : Stalled(what, deadline);

        ThrowIfGivenUp(what);
        var ssh = _ssh.CreateCommand(invocation.Text, Encoding.UTF8);
        using var release = new CommandRelease(ssh);
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();

        async Task Run()
        {
            // Not cancelled through SSH.NET: its cancellation is a "signal" request, which sshd refuses for a root login, which
            // reaches only the command's first process, and which drops the whole connection when it comes after the channel's
            // end. A command given up on is stopped by StopAsync instead, and its channel ends when the command does.
            var running = ssh.ExecuteAsync(CancellationToken.None);
            // Read as it arrives, within CommandOutput's bound: SSH.NET keeps whatever is not read, without a bound.
            var output = CommandOutput.CopyAsync(ssh.OutputStream, stdout, "standard output", deadline.Token);
            var errors = CommandOutput.CopyAsync(ssh.ExtendedOutputStream, stderr, "standard error", deadline.Token);
            if (invocation.SendsInput)
            {
                await SendInputAsync(ssh, invocation.Stdin, input, deadline, progress, deadline.Token).ConfigureAwait(false);
            }

            inputSent?.Invoke();
            await CommandOutput.BothAsync(output, errors).ConfigureAwait(false);
            await running.ConfigureAwait(false);
        }

        try
        {
            // SSH.NET opens the channel and sends the exec request synchronously (bounded by the connect timeout), and
            // streaming content can block on a full channel window inside it: both run on a pool thread (which
            // BlockingCalls counts) and are waited for here. Inline, the open would keep the caller until the host
            // answered, and a caller starting commands on several hosts one after the other would wait for each host in
            // turn before starting the next.
            using (BlockingCalls.Enter())
            {
                release.Work = Task.Run(Run, CancellationToken.None);
                await WithinAsync(release.Work, deadline, Expired, stoppable ? () => StopAsync(marker, command.Sudo, display) : null).ConfigureAwait(false);
            }
        }
        catch (CommandOutputTooLargeException e)
        {
            // Still running on the host, printing: stopped there, as a command given up on is (its channel then ends).
            if (stoppable)
            {
                await StopAsync(marker, command.Sudo, display).ConfigureAwait(false);
            }

            throw e.For(Name, display);
        }
        catch (SshException e)
        {
            throw new SshConnectException(Name, $"{Name}: {what} failed: {_redactor.Redact(e.Message)}", false, e);
        }
        catch (Exception e) when (LostConnection(e))
        {
            throw new SshConnectException(Name, $"{Name}: {what} failed: the connection was lost ({_redactor.Redact(e.Message)})", false, e);
        }

        var exitCode = ssh.ExitStatus ?? (ssh.ExitSignal is null ? -1 : 128 + SignalNumber(ssh.ExitSignal));
        _log.Debug("{Host}: {Command} exited {ExitCode}", Name, display, exitCode);
        return (exitCode, stdout.ToArray(), Encoding.UTF8.GetString(stderr.GetBuffer(), 0, (int)stderr.Length));
    }

    /// <summary>
    /// Writes the command's standard input, if any, and closes it (EOF). SSH.NET opens the channel
    /// synchronously inside ExecuteAsync, so a channel that is no longer open here means the command
    /// has already finished and there is nothing left to send.
    /// </summary>
    private static async Task SendInputAsync(
        SshCommand ssh, byte[]? stdin, LocalContent? content, OperationDeadline deadline, UploadProgress? progress, CancellationToken cancellationToken)
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

            if (content is null)
            {
                return;
            }

            var source = content.Rewind();
            var buffer = new byte[1 << 16];
            ulong sent = 0;
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await input.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                sent += (ulong)read;
                deadline.Progress();
                progress?.Report(sent);
            }
        }
    }

    /// <summary>
    /// Waits for <paramref name="work"/> until <paramref name="deadline"/>. When the deadline passes (or
    /// SSH.NET's own wait runs out first) the work is abandoned, the host is checked, what the host still runs of it is
    /// stopped (<paramref name="stop"/>) if the host answered, and a <see cref="TimeoutException"/> says <paramref name="expired"/>;
    /// when the caller cancels, the work is abandoned, the host is asked to stop it (waiting for that at most <see cref="StopWait"/>)
    /// and the cancellation goes on.
    /// </summary>
    private async Task WithinAsync(Task work, OperationDeadline deadline, Func<string> expired, Func<Task>? stop)
    {
        try
        {
            await work.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when ((e is OperationCanceledException && deadline.Expired) || e is SshOperationTimeoutException)
        {
            Abandon(work);
            await CheckAnswersAsync(expired()).ConfigureAwait(false);
            if (stop is not null)
            {
                await stop().ConfigureAwait(false);
            }

            throw new TimeoutException(expired(), e as SshOperationTimeoutException);
        }
        catch (OperationCanceledException)
        {
            Abandon(work);
            if (stop is not null)
            {
                var stopping = stop();
                try
                {
                    await stopping.WaitAsync(StopWait, CancellationToken.None).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    Abandon(stopping);
                }
            }

            throw;
        }
    }

    /// <summary>
    /// Stops on the host what a command given up on still runs there (<see cref="RemoteInvocation.Stop"/>), unless the host was given
    /// up or its connection is gone. Never throws: a stop that fails is logged, and the command ends on its own or with its session.
    /// </summary>
    private async Task StopAsync(string marker, bool sudo, string display)
    {
        if (_givenUp is not null || !Connected(_ssh))
        {
            return;
        }

        try
        {
            var (exitCode, _, stderr) = await ExecuteAsync(
                RemoteInvocation.Stop(marker, sudo), input: null, progress: null, operation: null, CancellationToken.None, stoppable: false).ConfigureAwait(false);
            if (exitCode == 0)
            {
                _log.Debug("{Host}: stopped what was left of {Command}", Name, display);
            }
            else
            {
                _log.Warning("{Host}: could not stop what was left of {Command}: {Error}", Name, display, _redactor.Redact(stderr).Trim());
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.Warning("{Host}: could not stop what was left of {Command}: {Error}", Name, display, e.Message);
        }
    }

    private string Stalled(string operation, OperationDeadline deadline) =>
        $"{Name}: {operation} stalled: no progress for {GoDuration.ShortHuman(deadline.Limit)}.";

    /// <summary>
    /// After a timeout: a host that still runs a trivial command in time keeps its connection (the command
    /// was just slow); one that does not is given up: its connections are closed, which releases every
    /// wait on them, and every later call fails at once with <paramref name="reason"/>.
    /// </summary>
    private async Task CheckAnswersAsync(string reason)
    {
        if (_givenUp is not null)
        {
            return;
        }

        using var deadline = OperationDeadline.Fixed(_settings.ConnectTimeout, CancellationToken.None);
        var probe = Task.Run(
            async () =>
            {
                using var check = _ssh.CreateCommand("true");
                await check.ExecuteAsync(CancellationToken.None).ConfigureAwait(false);
            },
            CancellationToken.None);
        try
        {
            await probe.WaitAsync(deadline.Token).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Abandon(probe);
        }

        _givenUp = reason;
        _log.Warning("{Host}: no answer within {Timeout} after a timeout; closing its connections", Name, GoDuration.ShortHuman(_settings.ConnectTimeout));
        _closing = Task.Run(() => Quietly(_ssh.Disconnect));
    }

    private void ThrowIfGivenUp(string operation)
    {
        if (_givenUp is { } reason)
        {
            throw new SshConnectException(Name, $"{Name}: cannot run {operation}: the connection was closed after the host stopped answering ({reason})", isAuthenticationFailure: false);
        }

        if (!_ssh.IsConnected)
        {
            // Nothing of the operation was sent: a pooled host makes it again on a new connection.
            throw new ConnectionLostException(Name, operation);
        }
    }

    /// <summary>Stops waiting for <paramref name="task"/>; its eventual failure is observed, not raised.</summary>
    private static void Abandon(Task? task) =>
        _ = task?.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private static void Quietly(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Closing a connection to a host that stopped answering: nothing to report.
        }
    }

    /// <summary>
    /// Waits for the host's transfer gate (one upload passes its bytes at a time on the connection); disposing the result releases it,
    /// once however often it is called.
    /// </summary>
    private async Task<IDisposable> TransferGateAsync(CancellationToken cancellationToken)
    {
        await _transferGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new GateRelease(_transferGate);
    }

    private async Task WriteTempAsync(LocalContent content, string temp, string target, CancellationToken cancellationToken)
    {
        using var gate = await TransferGateAsync(cancellationToken).ConfigureAwait(false);
        // Streamed on the command connection straight into the root-owned 0600 temp file, by dd run as root: the
        // login user (when not root) cannot write next to root's files, and nothing is ever staged where they could
        // read it. conv=nocreat: dd only writes the temp file mktemp made, so a dd that starts late (after a
        // cancelled upload removed the temp file) cannot create it again. No SFTP connection: it cost each host a
        // second handshake, and moved the lab's binaries slower (scripts/bench/upload).
        await StreamCheckedAsync(
            TempWriteCommand(temp), content, new UploadProgress(_log, Name, target, content.Length),
            "upload of " + target, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// <c>dd</c> into <paramref name="temp"/>, as root; when it fails (the temp file gone, a full disk), the rest of the content is read
    /// and dropped before the command exits with dd's status, so that the host never closes the channel before the content's end
    /// (<see cref="RemoteInvocation"/>).
    /// </summary>
    internal static RemoteCommand TempWriteCommand(string temp) =>
        new(["sh", "-c", "dd of=\"$1\" bs=1M conv=nocreat status=none || { s=$?; cat > /dev/null; exit $s; }", "write", temp], sudo: true);

    private sealed class GateRelease(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="command"/> and copies its standard output into <paramref name="destination"/> as it arrives,
    /// while it keeps moving (the transfer's stall timeout, like an upload); a non-zero exit throws.
    /// </summary>
    private async Task StreamOutputAsync(RemoteCommand command, Stream destination, UploadProgress progress, string operation, CancellationToken cancellationToken)
    {
        var display = command.ToDisplayString(_redactor);
        var marker = RemoteInvocation.NewMarker();
        var invocation = RemoteInvocation.For(command, hasContent: false, IsRoot, _sudoPassword, marker);
        _log.Debug("{Host}: running {Command}", Name, display);
        using var deadline = OperationDeadline.Stall(_settings.TransferStallTimeout, cancellationToken);
        ThrowIfGivenUp(operation);
        var ssh = _ssh.CreateCommand(invocation.Text, Encoding.UTF8);
        using var release = new CommandRelease(ssh);
        using var stderr = new MemoryStream();

        async Task Run()
        {
            // Stopped by StopAsync when given up on, as ExecuteAsync's commands are.
            var running = ssh.ExecuteAsync(CancellationToken.None);
            var errors = CommandOutput.CopyAsync(ssh.ExtendedOutputStream, stderr, "standard error", deadline.Token);
            if (invocation.SendsInput)
            {
                await SendInputAsync(ssh, invocation.Stdin, null, deadline, null, deadline.Token).ConfigureAwait(false);
            }

            var buffer = new byte[1 << 16];
            ulong copied = 0;
            int read;
            while ((read = await ssh.OutputStream.ReadAsync(buffer, deadline.Token).ConfigureAwait(false)) > 0)
            {
                await destination.WriteAsync(buffer.AsMemory(0, read), deadline.Token).ConfigureAwait(false);
                copied += (ulong)read;
                deadline.Progress();
                progress.Report(copied);
                if (errors.IsFaulted)
                {
                    // Its standard error went past the bound while the output still flows.
                    await errors.ConfigureAwait(false);
                }
            }

            await errors.ConfigureAwait(false);
            await running.ConfigureAwait(false);
        }

        try
        {
            using (BlockingCalls.Enter())
            {
                release.Work = Task.Run(Run, CancellationToken.None);
                await WithinAsync(release.Work, deadline, () => Stalled(operation, deadline), () => StopAsync(marker, command.Sudo, display)).ConfigureAwait(false);
            }
        }
        catch (CommandOutputTooLargeException e)
        {
            await StopAsync(marker, command.Sudo, display).ConfigureAwait(false);
            throw e.For(Name, display);
        }
        catch (SshException e)
        {
            throw new SshConnectException(Name, $"{Name}: {operation} failed: {_redactor.Redact(e.Message)}", false, e);
        }
        catch (Exception e) when (LostConnection(e))
        {
            throw new SshConnectException(Name, $"{Name}: {operation} failed: the connection was lost ({_redactor.Redact(e.Message)})", false, e);
        }

        var exitCode = ssh.ExitStatus ?? (ssh.ExitSignal is null ? -1 : 128 + SignalNumber(ssh.ExitSignal));
        if (exitCode != 0)
        {
            throw new RemoteCommandException(Name, display, new CommandResult(exitCode, string.Empty, _redactor.Redact(Encoding.UTF8.GetString(stderr.GetBuffer(), 0, (int)stderr.Length))));
        }
    }

    private async Task StreamCheckedAsync(RemoteCommand command, LocalContent input, UploadProgress progress, string operation, CancellationToken cancellationToken)
    {
        var (exitCode, stdout, stderr) = await ExecuteAsync(command, input, progress, operation, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new RemoteCommandException(Name, command.ToDisplayString(_redactor),
                new CommandResult(exitCode, _redactor.Redact(Encoding.UTF8.GetString(stdout)), _redactor.Redact(stderr)));
        }
    }

    /// <summary>
    /// Whether <paramref name="e"/>, out of SSH.NET's work on a command, is the connection's loss rather than the command's own
    /// failure. SSH.NET sends on the socket in the caller's call (the channel's open, the exec request, the input) and lets the
    /// socket's errors through as they are, and a connection dropped under its listener can surface as whatever that listener
    /// threw (a <see cref="NullReferenceException"/> from its own disconnect handling was seen): the host dropping the connection
    /// gave a bare "Broken pipe", naming neither the host nor the command.
    /// </summary>
    private bool LostConnection(Exception e) =>
        e is SocketException || (e is not (OperationCanceledException or TimeoutException or SshConnectException or OutOfMemoryException) && !Connected(_ssh));

    private static bool Connected(BaseClient client)
    {
        try
        {
            return client.IsConnected;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private static string Negotiated(ConnectionInfo connection) =>
        string.IsNullOrEmpty(connection.CurrentClientHmacAlgorithm)
            ? connection.CurrentClientEncryption ?? string.Empty
            : connection.CurrentClientEncryption + " " + connection.CurrentClientHmacAlgorithm;

    /// <summary>
    /// Disposes a command's channel once the work on it is done. Work given up on (a timeout, a cancellation) may still be
    /// blocked inside SSH.NET, holding the connection's socket for a send that a host which stopped reading never takes;
    /// closing the channel then would wait behind it for ever. Its channel is closed when that work ends instead.
    /// </summary>
    private sealed class CommandRelease(SshCommand command) : IDisposable
    {
        /// <summary>The work on the command's channel, once started.</summary>
        public Task Work { get; set; } = Task.CompletedTask;

        public void Dispose()
        {
            if (Work.IsCompleted)
            {
                command.Dispose();
                return;
            }

            _ = Work.ContinueWith(_ => Quietly(command.Dispose), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>How to connect to a host again: its settings, the secrets read once for it, the trust and the key it presented first.</summary>
    private sealed class Recipe(SshHostSettings settings, SshCredentials credentials, HostKeyTrust trust, HostKeyPin pin, SecretRedactor redactor, ILogger log)
    {
        public SshHostSettings Settings { get; } = settings;

        public SshCredentials Credentials { get; } = credentials;

        public HostKeyTrust Trust { get; } = trust;

        public HostKeyPin Pin { get; } = pin;

        public SecretRedactor Redactor { get; } = redactor;

        public ILogger Log { get; } = log;
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
