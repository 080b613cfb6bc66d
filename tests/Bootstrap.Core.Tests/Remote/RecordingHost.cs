using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Tests.Remote;

/// <summary>A real host (LocalHost) that records every command it runs (not those of its uploads), to count them.</summary>
internal sealed class RecordingHost(IRemoteHost inner) : IRemoteHost
{
    private readonly List<RemoteCommand> _commands = [];
    private readonly List<string> _downloads = [];
    private readonly List<FileSpec> _uploads = [];

    public string Name => inner.Name;

    public bool IsRoot => inner.IsRoot;

    public IReadOnlyList<RemoteCommand> Commands
    {
        get
        {
            lock (_commands)
            {
                return [.. _commands];
            }
        }
    }

    /// <summary>The commands that hashed files (<see cref="RemoteFileState.Sha256Command"/>), with the paths each hashed.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Hashes =>
        [.. Commands.Where(c => c.Argv is ["sh", "-c", _, "sha256", ..]).Select(c => (IReadOnlyList<string>)[.. c.Argv.Skip(4)])];

    /// <summary>The paths of the files read whole (<see cref="DownloadAsync"/>), in order.</summary>
    public IReadOnlyList<string> Downloads
    {
        get
        {
            lock (_commands)
            {
                return [.. _downloads];
            }
        }
    }

    public void Clear()
    {
        lock (_commands)
        {
            _commands.Clear();
            _downloads.Clear();
            _uploads.Clear();
        }
    }

    public Task<CommandResult> RunAsync(RemoteCommand command, CancellationToken cancellationToken)
    {
        lock (_commands)
        {
            _commands.Add(command);
        }

        return inner.RunAsync(command, cancellationToken);
    }

    /// <summary>The targets of the uploads of a file alone (<see cref="UploadAsync"/>), in order.</summary>
    public IReadOnlyList<FileSpec> Uploads
    {
        get
        {
            lock (_commands)
            {
                return [.. _uploads];
            }
        }
    }

    /// <summary>The inner host's upload: its target is recorded, its commands are not.</summary>
    public Task<UploadResult> UploadAsync(Stream content, FileSpec target, CancellationToken cancellationToken)
    {
        lock (_commands)
        {
            _uploads.Add(target);
        }

        return inner.UploadAsync(content, target, cancellationToken);
    }

    /// <summary>As an SSH host writes small files: their one command is recorded (the inner host's uploads of a file alone are not).</summary>
    public Task<IReadOnlyList<UploadOutcome>> UploadSmallAsync(IReadOnlyList<SmallUpload> files, CancellationToken cancellationToken) =>
        AtomicInstall.UploadSmallAsync(this, files, new SecretRedactor(), Serilog.Core.Logger.None, cancellationToken);

    public Task<byte[]?> DownloadAsync(string path, CancellationToken cancellationToken)
    {
        lock (_commands)
        {
            _downloads.Add(path);
        }

        return inner.DownloadAsync(path, cancellationToken);
    }

    public Task<bool> DownloadToAsync(string path, Stream destination, CancellationToken cancellationToken) => inner.DownloadToAsync(path, destination, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
