using System.Globalization;

namespace Bootstrap.Core.Remote;

/// <summary>
/// The root command that reads a small file whole on a host (a config, a certificate, a kubeconfig): only a regular file, links
/// followed, and at most one byte more than <see cref="MaxBytes"/>, so what travels back is bounded whatever stands at the path.
/// A device in a file's place (/dev/zero) would be read without end, into the workstation's memory.
/// </summary>
internal static class RemoteFileRead
{
    /// <summary>More than any file Bootstrap reads whole on a host; larger files are streamed (<see cref="IRemoteHost.DownloadToAsync"/>).</summary>
    public const long MaxBytes = 16 * 1024 * 1024;

    /// <summary>What the command prints on standard error, after the path, for a path that is not a regular file (exit 2).</summary>
    public const string NotRegular = "is not a regular file (a directory, a device or a FIFO), which is never read";

    private static readonly string BytesScript = Script(string.Empty);

    private static readonly string Base64Script = Script(" | base64 -w 0");

    /// <summary>Prints the file's bytes.</summary>
    public static RemoteCommand Command(string path) =>
        new(Argv(path, base64: false), sudo: true);

    /// <summary>The argv that prints the file's bytes, or (<paramref name="base64"/>) their base64 on one line.</summary>
    public static IReadOnlyList<string> Argv(string path, bool base64) =>
        ["env", "LC_ALL=C", "sh", "-c", base64 ? Base64Script : BytesScript, "read", path];

    /// <summary>Whether what was read is more than any file read whole may hold.</summary>
    public static bool TooLarge(int length) => length > MaxBytes;

    // A missing path (a dangling link too) is left to cat, whose "No such file or directory" (exit 1) callers take for "missing".
    private static string Script(string pipe) => string.Create(
        CultureInfo.InvariantCulture,
        $"if [ -f \"$1\" ]; then head -c {MaxBytes + 1} -- \"$1\"{pipe}; elif [ -e \"$1\" ]; then echo \"$1 {NotRegular}\" >&2; exit 2; else cat -- \"$1\"; fi");

    /// <summary>The message for a file that read larger than <see cref="MaxBytes"/>.</summary>
    public static string TooLargeMessage(string host, string path) =>
        string.Create(CultureInfo.InvariantCulture, $"{host}: cannot read {path}: it is larger than {MaxBytes / (1024 * 1024)} MiB, more than any file Bootstrap reads whole");
}
