using System.Globalization;

namespace Bootstrap.Core.Config.Parsing;

/// <summary>
/// What a cluster file refers to on the workstation, checked when it is loaded there (validate and every
/// command): SSH identity files are readable private keys, password files and external CA files exist and
/// can be read, the state directory and known_hosts files can be what they are meant to be. Each file is
/// reported once, at the first field naming it, however many hosts use it. Nothing is created or changed,
/// and no secret is read: a password file is only opened, a key only looked at, never decrypted.
/// </summary>
internal static class LocalFileChecks
{
    /// <summary>The largest identity file looked at; OpenSSH's largest keys (RSA 16384) are about 12 KiB.</summary>
    private const int MaxKeyBytes = 64 * 1024;

    /// <summary>
    /// The largest known_hosts file read (OpenSSH sets none; at about 100 bytes a line this holds over half a million hosts). Every
    /// connection reads the file, so a path such as a log or an image named by mistake would otherwise be read whole for each host.
    /// </summary>
    public const long MaxKnownHostsBytes = 64L * 1024 * 1024;

    private const string KeyExpectation = "an SSH private key file (OpenSSH or PEM, such as ~/.ssh/id_ed25519)";

    public static void Check(ParseContext context, ClusterDraft draft, string homeDirectory, bool fromStandardInput)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (field, path) in IdentityFiles(draft))
        {
            if (!seen.Add(path))
            {
                continue;
            }

            if (IdentityProblem(path) is { } problem)
            {
                context.ErrorAt(field, $"identity file {InputQuote.QuotePath(path)} {problem}; expected {KeyExpectation}");
            }
            else
            {
                WarnWhenOpenToOthers(context, field, "identity file", path, ", a key OpenSSH refuses to use");
            }
        }

        foreach (var (field, reference) in Passwords(draft))
        {
            if (reference.Kind == SecretReferenceKind.Prompt && fromStandardInput)
            {
                context.ErrorAt(field, "password: prompt reads the terminal, but standard input holds the cluster file (-f -); expected env:NAME or file:PATH, or the cluster file given by path");
            }
            else if (reference.Kind == SecretReferenceKind.File && seen.Add(reference.Target!))
            {
                if (ReadableFileProblem(reference.Target!) is { } problem)
                {
                    context.ErrorAt(field, $"password file {InputQuote.QuotePath(reference.Target!)} {problem}; expected a file holding the password");
                }
                else
                {
                    WarnWhenOpenToOthers(context, field, "password file", reference.Target!);
                }
            }
        }

        foreach (var (name, ca) in draft.Certificates?.ExternalCAs ?? new Dictionary<string, ExternalCaSpec>())
        {
            var field = "spec.certificates.externalCAs." + name;
            foreach (var (key, path, what) in new[] { ("certFile", ca.CertFile, "certificate"), ("keyFile", ca.KeyFile, "private key") })
            {
                if (!seen.Add(path))
                {
                    continue;
                }

                if (ReadableFileProblem(path) is { } problem)
                {
                    context.ErrorAt(field + "." + key, $"{name} {what} file {InputQuote.QuotePath(path)} {problem}; expected the CA's {what} (PEM)");
                }
                else if (key == "keyFile")
                {
                    WarnWhenOpenToOthers(context, field + "." + key, $"{name} {what} file", path);
                }
            }
        }

        foreach (var (field, path) in KnownHostsFiles(draft))
        {
            if (seen.Add(path) && (Directory.Exists(path) ? "is a directory" : TooLarge(path, MaxKnownHostsBytes, "known_hosts") ?? UnderAFile(path)) is { } problem)
            {
                context.ErrorAt(field, $"known_hosts file {InputQuote.QuotePath(path)} {problem}; expected a file path (the file is created when missing)");
            }
        }

        var state = draft.StateDirectory ?? (draft.Name is { } cluster ? ClusterConfigLoader.DefaultStateDirectory(homeDirectory, cluster) : null);
        if (state is not null && (File.Exists(state) ? "is a file" : UnderAFile(state)) is { } stateProblem)
        {
            var which = draft.StateDirectory is null ? " (the default, ~/.bootstrap/<metadata.name>; set spec.stateDirectory for another)" : string.Empty;
            context.ErrorAt("spec.stateDirectory", $"the state directory {InputQuote.QuotePath(state)}{which} {stateProblem}; expected a directory (created when missing)");
        }
        else if (state is not null && WritableByOthers(state) is { Count: > 0 } open)
        {
            var named = string.Join(", ", open.Take(3).Select(e => $"{(e.Path.Length == 0 ? "the directory itself" : e.Path)} (mode {e.Mode})"))
                + (open.Count > 3 ? $" and {open.Count - 3} more" : string.Empty);
            context.WarningAt("spec.stateDirectory",
                $"the state directory {InputQuote.QuotePath(state)} holds the cluster's CA keys, but other users may change what is in it: {named}; "
                + $"expected no write access for group or others (chmod -R go-w {InputQuote.QuotePath(state)})");
        }
    }

    /// <summary>
    /// The entries of the state directory at <paramref name="root"/> (itself first, as "") that group or others may write, with
    /// their octal modes; symbolic links are not followed. Empty when it does not exist or cannot be read (the run says why).
    /// </summary>
    private static List<(string Path, string Mode)> WritableByOthers(string root)
    {
        var open = new List<(string, string)>();
        if (OperatingSystem.IsWindows() || !Directory.Exists(root))
        {
            return open;
        }

        const UnixFileMode writable = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
        try
        {
            var entries = new[] { new DirectoryInfo(root) as FileSystemInfo }.Concat(
                new DirectoryInfo(root).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true }));
            foreach (var entry in entries.Where(e => (e.UnixFileMode & writable) != 0))
            {
                open.Add((Path.GetRelativePath(root, entry.FullName) is var relative && relative == "." ? string.Empty : relative, Octal(entry.UnixFileMode)));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        return open;
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0');

    private static IEnumerable<(string Field, string Path)> IdentityFiles(ClusterDraft draft)
    {
        if (draft.Ssh?.IdentityFile is { } shared)
        {
            yield return ("spec.ssh.identityFile", shared);
        }

        if (draft.Ssh?.Bastion?.IdentityFile is { } sharedBastion)
        {
            yield return ("spec.ssh.bastion.identityFile", sharedBastion);
        }

        foreach (var host in draft.Hosts ?? [])
        {
            if (host.Ssh?.IdentityFile is { } own)
            {
                yield return (host.Path + ".ssh.identityFile", own);
            }

            if (host.Ssh?.Bastion?.IdentityFile is { } ownBastion)
            {
                yield return (host.Path + ".ssh.bastion.identityFile", ownBastion);
            }
        }
    }

    private static IEnumerable<(string Field, SecretReference Reference)> Passwords(ClusterDraft draft)
    {
        var levels = new List<(string Path, SshFields? Ssh)> { ("spec.ssh", draft.Ssh) };
        levels.AddRange((draft.Hosts ?? []).Select(h => (h.Path + ".ssh", h.Ssh)));
        foreach (var (path, ssh) in levels)
        {
            if (ssh?.Password is { } password)
            {
                yield return (path + ".password", password);
            }

            if (ssh?.Bastion?.Password is { } bastion)
            {
                yield return (path + ".bastion.password", bastion);
            }
        }
    }

    private static IEnumerable<(string Field, string Path)> KnownHostsFiles(ClusterDraft draft)
    {
        if (draft.Ssh?.KnownHostsFile is { } shared)
        {
            yield return ("spec.ssh.knownHosts", shared);
        }

        foreach (var host in draft.Hosts ?? [])
        {
            if (host.Ssh?.KnownHostsFile is { } own)
            {
                yield return (host.Path + ".ssh.knownHosts", own);
            }
        }
    }

    /// <summary>"is N bytes, larger than …" when the file at <paramref name="path"/> exists and is longer than <paramref name="max"/>.</summary>
    private static string? TooLarge(string path, long max, string what)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists && info.Length > max
                ? string.Create(CultureInfo.InvariantCulture, $"is {info.Length} bytes, larger than any {what} file Bootstrap reads ({max / (1024 * 1024)} MiB)")
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Why <paramref name="path"/> is not a readable private key file; null when it is one.</summary>
    private static string? IdentityProblem(string path)
    {
        if (FileProblem(path) is { } problem)
        {
            return problem;
        }

        var length = new FileInfo(path).Length;
        if (length > MaxKeyBytes)
        {
            return string.Create(CultureInfo.InvariantCulture, $"is {length} bytes, larger than any private key");
        }

        byte[] head;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            head = new byte[MaxKeyBytes];
            head = head[..stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return CannotRead(e);
        }

        if (PrivateKeyText.Problem(head) is not { } format)
        {
            return null;
        }

        var privateHalf = path.EndsWith(".pub", StringComparison.Ordinal) ? path[..^4] : null;
        return privateHalf is not null && File.Exists(privateHalf) && format.StartsWith("is a public key", StringComparison.Ordinal)
            ? $"{format}; the private key is probably {InputQuote.QuotePath(privateHalf)}"
            : format;
    }

    /// <summary>
    /// A warning at <paramref name="field"/> when group or others may read, write or run the secret's file at <paramref name="path"/>
    /// (OpenSSH refuses such a private key), naming its octal mode and the fix. Only the mode is looked at, never the content;
    /// nothing on Windows.
    /// </summary>
    private static void WarnWhenOpenToOthers(ParseContext context, string field, string what, string path, string why = "")
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        UnixFileMode mode;
        try
        {
            mode = File.GetUnixFileMode(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        if ((mode & others) != 0)
        {
            var quoted = InputQuote.QuotePath(path);
            context.WarningAt(field, $"{what} {quoted} is open to other users (mode {Octal(mode)}){why}; expected mode 0600 (chmod 600 {quoted})");
        }
    }

    /// <summary>Why <paramref name="path"/> is not a file this user can open for reading; it is opened, never read.</summary>
    private static string? ReadableFileProblem(string path)
    {
        if (FileProblem(path) is { } problem)
        {
            return problem;
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return CannotRead(e);
        }
    }

    /// <summary>
    /// Missing, a directory, or empty. A FIFO or device also shows as empty and is never opened, since opening
    /// a FIFO waits for a writer.
    /// </summary>
    private static string? FileProblem(string path)
    {
        try
        {
            if (path.Length > LocalPaths.MaxLength)
            {
                return UnderAFile(path);
            }

            if (Directory.Exists(path))
            {
                return "is a directory";
            }

            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return UnderAFile(path) ?? (OperatingSystem.IsWindows() ? null : Unsearchable(path)) ?? "does not exist";
            }

            return info.Length == 0 ? "is empty (or not a regular file)" : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return CannotRead(e);
        }
    }

    /// <summary>
    /// "is under /x/f, which is a file" when a parent of <paramref name="path"/> is a file; null otherwise. A path
    /// longer than PATH_MAX is refused as such instead of being walked.
    /// </summary>
    private static string? UnderAFile(string path)
    {
        if (path.Length > LocalPaths.MaxLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"is {path.Length} characters long, longer than any path Linux opens ({LocalPaths.MaxLength})");
        }

        return Path.GetDirectoryName(path) is { Length: > 0 } parent && LocalPaths.FileInTheWay(parent) is { } file
            ? $"is under {InputQuote.QuotePath(file)}, which is a file"
            : null;
    }

    /// <summary>
    /// "cannot be read by this user (permission denied on /d)" when <paramref name="path"/> is hidden from this user by a directory
    /// above it that this user may not search (a root-owned 0700 ~/.ssh); null when it is simply not there. A file this user cannot
    /// see is not a file that does not exist.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static string? Unsearchable(string path)
    {
        try
        {
            File.GetUnixFileMode(path);
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            // The nearest directory above that this user can look at is the one that refuses the rest of the path.
            for (var directory = Path.GetDirectoryName(path); directory is { Length: > 0 }; directory = Path.GetDirectoryName(directory))
            {
                try
                {
                    File.GetUnixFileMode(directory);
                    return $"cannot be read by this user (permission denied on {InputQuote.QuotePath(directory)})";
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Refused too: look further up.
                }
            }

            return "cannot be read by this user (permission denied)";
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            return null;
        }
    }

    private static string CannotRead(Exception e) => e switch
    {
        UnauthorizedAccessException => "cannot be read by this user (permission denied)",
        PathTooLongException => "cannot be read: the path is too long",
        _ => "cannot be read: " + InputQuote.Cap(e.Message),
    };
}
