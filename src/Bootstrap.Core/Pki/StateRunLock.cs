using System.Globalization;
using System.Text;
using Bootstrap.Core.Config;

namespace Bootstrap.Core.Pki;

/// <summary>
/// One run at a time per cluster state: an exclusive lock (flock, released by the kernel when the process ends, so
/// never stale) on <c>.run.lock</c> in the state directory, held for the whole run, with who holds it written beside
/// (<c>.run.holder</c>: pid, host, user, command, start time) so that a second run can say who it waits for.
/// </summary>
internal sealed class StateRunLock : IDisposable
{
    public const string LockFile = ".run.lock";
    public const string HolderFile = ".run.holder";

    private readonly FileStream _lock;
    private readonly string _holder;

    private StateRunLock(FileStream @lock, string holder)
    {
        _lock = @lock;
        _holder = holder;
    }

    /// <summary>Takes the lock of <paramref name="stateDirectory"/>, creating the directory (0700) when <paramref name="create"/>.</summary>
    /// <returns>The lock; null when the directory does not exist and <paramref name="create"/> is false (a read-only run of a state not made yet).</returns>
    /// <exception cref="PkiStateException">Another run holds it (named), or the directory cannot be used (why).</exception>
    public static StateRunLock? Acquire(string stateDirectory, string command, bool create, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The cluster state needs POSIX file modes.");
        }

        var state = new PkiStateDirectory(stateDirectory);
        if (!create && !Directory.Exists(state.Root))
        {
            return null;
        }

        state.EnsureRoot();
        FileStream stream;
        try
        {
            stream = new FileStream(state.FullPath(LockFile), new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                UnixCreateMode = PkiStateDirectory.SecretMode,
            });
        }
        catch (IOException e) when (File.Exists(state.FullPath(LockFile)) && e is not DirectoryNotFoundException)
        {
            var holder = ReadHolder(state.FullPath(HolderFile));
            throw new PkiStateException(
                $"the cluster state in {state.Root} is in use by another bootstrap run{(holder is null ? string.Empty : ": " + holder)}. "
                + "Wait for it to finish (the lock goes away with its process, even if it is killed), then run again.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PkiStateException($"cannot use {state.Root} as the cluster state: {e.Message}", e);
        }

        var holderPath = state.FullPath(HolderFile);
        File.WriteAllText(holderPath, Describe(command, time) + "\n", Encoding.UTF8);
        File.SetUnixFileMode(holderPath, PkiStateDirectory.SecretMode);
        return new StateRunLock(stream, holderPath);
    }

    /// <summary>Who runs: this process, its machine and user, the command and since when (one line, for another run to say who it waits for).</summary>
    public static string Describe(string command, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return string.Create(CultureInfo.InvariantCulture,
            $"pid {Environment.ProcessId} on {Environment.MachineName} (user {Environment.UserName}), `{command}`, since {time.GetUtcNow():yyyy-MM-ddTHH:mm:ssZ}");
    }

    public void Dispose()
    {
        try
        {
            File.Delete(_holder);
        }
        catch (IOException)
        {
            // The lock itself is what counts; a stale holder line is overwritten by the next run.
        }

        _lock.Dispose();
    }

    private static string? ReadHolder(string path)
    {
        try
        {
            return File.Exists(path) ? BoundedFile.ReadAllText(path, BoundedFile.MaxSmallFileBytes).Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
