using Bootstrap.Core.Config;

namespace Bootstrap.Core.Pki;

/// <summary>
/// The cluster's PKI on the workstation. Directories are 0700, keys and kubeconfigs 0600,
/// certificates and public keys 0644. Every write goes to a temporary file in the target's
/// directory, is flushed, and renamed over the target, so a reader sees the old file or the new
/// one, never half of either. Unchanged content is not rewritten.
/// </summary>
internal sealed class PkiStateDirectory
{
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode SecretMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode PublicMode = SecretMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>The request of the last successful generation; its presence means "this cluster's PKI exists".</summary>
    public const string RequestFile = "request.json";

    private const string LockFile = ".lock";

    public PkiStateDirectory(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string FullPath(string relative) => Path.Combine(Root, relative);

    public bool Exists(string relative) => File.Exists(FullPath(relative));

    public Task<byte[]?> ReadAsync(string relative, CancellationToken cancellationToken) => ReadFileAsync(FullPath(relative), cancellationToken);

    /// <summary>
    /// The file's bytes, or null when it does not exist. Every file the state holds is small: one larger than
    /// <see cref="BoundedFile.MaxSmallFileBytes"/> is refused, and one whose size is 0 (empty, or a device or FIFO in its place)
    /// reads as empty, which the caller then finds damaged.
    /// </summary>
    /// <exception cref="PkiStateException">It exists but cannot be read (a directory in its place, a link loop, its mode, its size): which file, and why.</exception>
    private static async Task<byte[]?> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await BoundedFile.ReadAllBytesAsync(path, BoundedFile.MaxSmallFileBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Said with the file's path: the command's own catch only knew "the state directory cannot be used: permission denied".
            const string restore = "restore the file from a backup of the state directory, or move the state aside and `bootstrap state pull`";
            var reason = Directory.Exists(path) ? "it is a directory, not a file; " + restore
                : e is UnauthorizedAccessException ? PermissionDenied(path)
                : e is FileTooLargeException ? $"{e.Message}; {restore}"
                : e.Message;
            throw new PkiStateException($"cannot read {path} in the state directory: {reason}", e);
        }
    }

    /// <summary>
    /// Why a state file cannot be read: a file its own user may not read (mode 0000, 0200) is not fixed by running as that user;
    /// one that only another user may read is.
    /// </summary>
    internal static string PermissionDenied(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            try
            {
                var mode = File.GetUnixFileMode(path);
                if ((mode & UnixFileMode.UserRead) == 0)
                {
                    var octal = Convert.ToString((int)mode & 0xFFF, 8).PadLeft(4, '0');
                    return $"permission denied: its mode is {octal}, which lets not even its owner read it (chmod 600 {path} as its owner)";
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Its mode cannot be read either: a directory above it refuses this user.
            }
        }

        return "permission denied (run as the user the state belongs to)";
    }

    /// <summary>Takes an exclusive lock on the directory (created 0700 if needed) so two runs cannot interleave writes.</summary>
    public IDisposable Lock()
    {
        if (OperatingSystem.IsWindows())
        {
            throw NotSupported();
        }

        EnsureRoot();
        try
        {
            return new FileStream(FullPath(LockFile), new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                UnixCreateMode = SecretMode,
            });
        }
        catch (UnauthorizedAccessException e)
        {
            throw new PkiStateException($"cannot use the state directory {Root}: {Reason(Root, e)}", e);
        }
        catch (IOException e)
        {
            throw new PkiStateException($"{Root} is in use by another bootstrap process.", e);
        }
    }

    /// <summary>Creates the root directory (and its parents up to it) as 0700 when it does not exist.</summary>
    /// <exception cref="PkiStateException">It cannot be created (why, and where).</exception>
    public void EnsureRoot()
    {
        try
        {
            CreateDirectory(Root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A state directory that is there but not this user's (another user's, 0755) is not one that cannot be created.
            throw Directory.Exists(Root) && e is UnauthorizedAccessException
                ? new PkiStateException($"cannot use the state directory {Root}: permission denied (run as the user the state belongs to)", e)
                : new PkiStateException($"cannot create the state directory {Root}: {Reason(Root, e)}", e);
        }
    }

    /// <summary>Writes atomically with the given mode; returns false when content and mode were already right.</summary>
    public async Task<bool> WriteAsync(string relative, byte[] content, UnixFileMode mode, CancellationToken cancellationToken) =>
        (await WriteAllAsync([new StateFile(relative, content, mode)], cancellationToken).ConfigureAwait(false)).Count > 0;

    /// <summary>
    /// Writes <paramref name="files"/> as <see cref="WriteAsync"/> writes each, with the same guarantee (a file's new content is
    /// on disk before its name points at it; the names change in the order given), but flushes them together: every new
    /// content goes to its temporary file first, all of them are flushed to disk at once (the file system commits them in one
    /// or two journal transactions, where one flush after the other waits for a commit each), then each is renamed over its
    /// target, in order. Returns the files whose content or mode changed, in order. A failure before the renames leaves every
    /// target as it was, and no temporary file.
    /// </summary>
    public async Task<IReadOnlyList<string>> WriteAllAsync(IReadOnlyList<StateFile> files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (OperatingSystem.IsWindows())
        {
            throw NotSupported();
        }

        var written = new List<string>();
        var staged = new List<(string Path, string Temporary, FileStream Stream)>();
        try
        {
            foreach (var file in files)
            {
                var path = FullPath(file.Path);
                try
                {
                    var directory = Path.GetDirectoryName(path)!;
                    CreateDirectory(directory);
                    var existing = await ReadFileAsync(path, cancellationToken).ConfigureAwait(false);
                    if (existing is not null && existing.AsSpan().SequenceEqual(file.Content))
                    {
                        if (File.GetUnixFileMode(path) != file.Mode)
                        {
                            File.SetUnixFileMode(path, file.Mode);
                            written.Add(file.Path);
                        }

                        continue;
                    }

                    var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
                    var stream = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = file.Mode });
                    staged.Add((path, temporary, stream));
                    await stream.WriteAsync(file.Content, cancellationToken).ConfigureAwait(false);
                    await stream.FlushAsync(cancellationToken).ConfigureAwait(false);

                    // The umask may have narrowed the create mode; set it exactly.
                    File.SetUnixFileMode(temporary, file.Mode);
                    written.Add(file.Path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new PkiStateException($"cannot write {path} in the state directory: {Reason(path, e)}", e);
                }
            }

            // One thread per file: a flush blocks its thread until the journal commits, and the commits are what is shared.
            await Task.WhenAll(staged.Select(s => Task.Factory.StartNew(
                () => s.Stream.Flush(flushToDisk: true), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default))).ConfigureAwait(false);
        }
        catch
        {
            foreach (var (_, temporary, stream) in staged)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                File.Delete(temporary);
            }

            throw;
        }

        foreach (var (path, temporary, stream) in staged)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            try
            {
                File.Move(temporary, path, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                File.Delete(temporary);
                throw new PkiStateException($"cannot write {path} in the state directory: {Reason(path, e)}", e);
            }
        }

        return written;
    }

    /// <summary>Why a path in the state directory cannot be made: a file in the way, no permission, or what the system said.</summary>
    private static string Reason(string path, Exception e) => LocalPaths.FileInTheWay(path) switch
    {
        { } file when file == path => "it is a file, not a directory",
        { } file => $"{file} is a file, not a directory",
        _ => e is UnauthorizedAccessException ? "permission denied" : e.Message,
    };

    /// <summary>Creates <paramref name="path"/> and its parents up to the root as 0700, and narrows any of them that is wider.</summary>
    private void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw NotSupported();
        }

        var parent = Path.GetDirectoryName(path);
        if (!string.Equals(path, Root, StringComparison.Ordinal) && parent is not null)
        {
            CreateDirectory(parent);
        }

        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, DirectoryMode);
        }

        if (File.GetUnixFileMode(path) != DirectoryMode)
        {
            File.SetUnixFileMode(path, DirectoryMode);
        }
    }

    private static PlatformNotSupportedException NotSupported() => new("The PKI state directory needs POSIX file modes.");
}
