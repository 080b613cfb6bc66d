using System.Diagnostics;
using System.Text;
using Serilog;

namespace Bootstrap.Core.Remote;

/// <summary>
/// The machine this process runs on, as an <see cref="IRemoteHost"/> (automation that runs on the
/// node itself, cloud-init style). Commands run through <see cref="Process"/> with an argument list,
/// so no shell ever parses them; root commands go through <c>sudo -n</c> when this process is not root.
/// </summary>
public sealed class LocalHost : IRemoteHost
{
    private readonly SecretRedactor _redactor;
    private readonly ILogger _log;
    private readonly bool _isRoot;

    public LocalHost(string name, SecretRedactor redactor, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(logger);
        Name = name;
        _redactor = redactor;
        _log = logger.ForContext("Host", name);
        _isRoot = Environment.IsPrivilegedProcess;
    }

    public string Name { get; }

    public bool IsRoot => _isRoot;

    public async Task<CommandResult> RunAsync(RemoteCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var (exitCode, stdout, stderr) = await RunRawAsync(command, cancellationToken).ConfigureAwait(false);
        return new CommandResult(
            exitCode,
            _redactor.Redact(Encoding.UTF8.GetString(stdout)),
            _redactor.Redact(Encoding.UTF8.GetString(stderr)));
    }

    private async Task<(int ExitCode, byte[] Stdout, byte[] Stderr)> RunRawAsync(RemoteCommand command, CancellationToken cancellationToken)
    {
        var display = command.ToDisplayString(_redactor);
        _log.Debug("{Host}: running {Command}", Name, display);

        var start = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var argv = command.Sudo && !_isRoot ? ["sudo", "-n", "--", .. command.Argv] : command.Argv;
        start.FileName = argv[0];
        foreach (var argument in argv.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (command.Timeout is { } limit)
        {
            timeout.CancelAfter(limit);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            // The program does not exist or cannot be executed: report it the way a shell would.
            return (127, [], Encoding.UTF8.GetBytes($"{argv[0]}: {e.Message}"));
        }

        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        var reading = CommandOutput.BothAsync(
            CommandOutput.CopyAsync(process.StandardOutput.BaseStream, stdout, "standard output", timeout.Token),
            CommandOutput.CopyAsync(process.StandardError.BaseStream, stderr, "standard error", timeout.Token));
        try
        {
            await CompleteAsync(process, command, reading, display, timeout.Token, cancellationToken).ConfigureAwait(false);
        }
        catch (CommandOutputTooLargeException e)
        {
            process.Kill(entireProcessTree: true);
            throw e.For(Name, display);
        }

        _log.Debug("{Host}: {Command} exited {ExitCode}", Name, display, process.ExitCode);
        return (process.ExitCode, stdout.ToArray(), stderr.ToArray());
    }

    /// <summary>Sends the command's input, and waits for its output (<paramref name="reading"/>) and its end.</summary>
    private async Task CompleteAsync(Process process, RemoteCommand command, Task reading, string display, CancellationToken timeout, CancellationToken cancellationToken)
    {
        try
        {
            await using (var input = process.StandardInput.BaseStream)
            {
                if (command.Stdin is { } bytes)
                {
                    await input.WriteAsync(bytes, timeout).ConfigureAwait(false);
                }
            }

            await reading.ConfigureAwait(false);
            await process.WaitForExitAsync(timeout).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{Name}: `{display}` did not finish within {command.Timeout}.");
            }

            throw;
        }
        catch (IOException e) when (e is not CommandOutputTooLargeException && (!process.HasExited || process.ExitCode != 0))
        {
            // The command closed its input early (it did not read it all); its exit code tells the rest.
            await reading.ConfigureAwait(false);
            await process.WaitForExitAsync(timeout).ConfigureAwait(false);
        }
    }

    public Task<UploadResult> UploadAsync(Stream content, FileSpec target, CancellationToken cancellationToken) =>
        AtomicInstall.UploadAsync(this, content, target, WriteTempAsync, _redactor, _log, cancellationToken);

    /// <summary>Small files in a few root commands side by side, not one each: <see cref="AtomicInstall.UploadSmallAsync"/>.</summary>
    public Task<IReadOnlyList<UploadOutcome>> UploadSmallAsync(IReadOnlyList<SmallUpload> files, CancellationToken cancellationToken) =>
        AtomicInstall.UploadSmallAsync(this, files, _redactor, _log, cancellationToken);

    public async Task<byte[]?> DownloadAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return await Config.BoundedFile.ReadAllBytesAsync(path, RemoteFileRead.MaxBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException) when (!_isRoot)
        {
            var (exitCode, stdout, stderr) = await RunRawAsync(RemoteFileRead.Command(path), cancellationToken).ConfigureAwait(false);
            return exitCode == 0 ? stdout
                : throw new IOException($"{Name}: cannot read {path} as root: {_redactor.Redact(Encoding.UTF8.GetString(stderr)).Trim()}");
        }
    }

    public async Task<bool> DownloadToAsync(string path, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(destination);
        FileStream source;
        try
        {
            source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
        catch (UnauthorizedAccessException) when (!_isRoot)
        {
            return await SudoCatAsync(path, destination, cancellationToken).ConfigureAwait(false);
        }

        await using (source.ConfigureAwait(false))
        {
            var progress = new UploadProgress(_log, Name, path, source.Length, verb: "downloading");
            await CopyAsync(source, destination, progress, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static async Task CopyAsync(Stream source, Stream destination, UploadProgress progress, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        ulong copied = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            copied += (ulong)read;
            progress.Report(copied);
        }
    }

    /// <summary>A root-only file read through <c>sudo cat</c>, its output streamed into <paramref name="destination"/>.</summary>
    private async Task<bool> SudoCatAsync(string path, Stream destination, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("sudo") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-n", "--", "cat", "--", path })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new IOException($"{Name}: cannot start sudo to read {path}");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await CopyAsync(process.StandardOutput.BaseStream, destination, new UploadProgress(_log, Name, path, 0, verb: "downloading"), cancellationToken).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var error = await stderr.ConfigureAwait(false);
        return process.ExitCode == 0 ? true
            : error.Contains("No such file or directory", StringComparison.Ordinal) ? false
            : throw new IOException($"{Name}: cannot read {path} as root: {_redactor.Redact(error).Trim()}");
    }

    private async Task WriteTempAsync(LocalContent content, string temp, CancellationToken cancellationToken)
    {
        if (_isRoot)
        {
            await WriteAsync(temp, content.Rewind(), cancellationToken).ConfigureAwait(false);
            return;
        }

        // The target directory is root's: stage where we may write, then copy as root.
        var staged = Path.GetTempFileName();
        try
        {
            await WriteAsync(staged, content.Rewind(), cancellationToken).ConfigureAwait(false);
            await this.RunCheckedAsync(new RemoteCommand(["cp", "--", staged, temp], sudo: true), _redactor, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(staged);
        }
    }

    private static async Task WriteAsync(string path, Stream content, CancellationToken cancellationToken)
    {
        // The file exists already (mktemp made it 0600); truncate and write it.
        var file = new FileStream(path, FileMode.Truncate, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        await using (file.ConfigureAwait(false))
        {
            await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
