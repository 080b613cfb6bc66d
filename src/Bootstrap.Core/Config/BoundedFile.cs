using System.Globalization;
using System.Text;

namespace Bootstrap.Core.Config;

/// <summary>
/// Reads a whole file on the workstation that a user (or a mistake) may have replaced by something else: never more than a
/// bound, so memory stays bounded too, and never a file whose size is 0, which reads as empty. A device (a state file
/// linked to /dev/zero) says 0 and never ends, a FIFO's open waits for a writer, and a kernel file under /proc says 0.
/// Reading /dev/zero whole ran the workstation out of memory.
/// </summary>
internal static class BoundedFile
{
    /// <summary>More than any small file Bootstrap keeps or is given (certificates, keys, kubeconfigs, its records, sidecars).</summary>
    public const long MaxSmallFileBytes = 16 * 1024 * 1024;

    /// <summary>The file's bytes: empty when its size is 0 (it is then never opened).</summary>
    /// <exception cref="FileTooLargeException">It holds more than <paramref name="maxBytes"/>, by its size or by what was read.</exception>
    /// <exception cref="IOException">It cannot be read (missing: <see cref="FileNotFoundException"/>).</exception>
    /// <exception cref="UnauthorizedAccessException">This user may not read it, or it is a directory.</exception>
    public static byte[] ReadAllBytes(string path, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = Resolved(path);
        if (info.Exists && info.Length == 0)
        {
            return [];
        }

        if (info.Exists && info.Length > maxBytes)
        {
            throw new FileTooLargeException(info.Length.ToString(CultureInfo.InvariantCulture), maxBytes);
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
        // The size said may be stale (the file grows while it is read): what is read is bounded on its own.
        using var content = new MemoryStream(info.Exists ? (int)info.Length : 0);
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            if (content.Length + read > maxBytes)
            {
                throw new FileTooLargeException("more than " + maxBytes.ToString(CultureInfo.InvariantCulture), maxBytes);
            }

            content.Write(buffer, 0, read);
        }

        return content.ToArray();
    }

    /// <summary>
    /// Whether the file at <paramref name="path"/> (links followed) has size 0: empty, or a device, FIFO or kernel file, which a
    /// stream that reads to its end must never open (it would never end, or never start).
    /// </summary>
    public static bool IsEmptyOrSpecial(string path)
    {
        var info = Resolved(path);
        return info.Exists && info.Length == 0;
    }

    /// <summary>The file a path leads to: a link's own size is its target's name, what counts is the size of the file it leads to.</summary>
    private static FileInfo Resolved(string path) => new(File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path);

    /// <summary><see cref="ReadAllBytes"/> for async callers (the files are small: it reads on the calling thread).</summary>
    public static Task<byte[]> ReadAllBytesAsync(string path, long maxBytes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(ReadAllBytes(path, maxBytes));
    }

    /// <summary>The file's text (UTF-8 unless a byte-order mark says otherwise), read as <see cref="ReadAllBytes"/> reads.</summary>
    public static string ReadAllText(string path, long maxBytes)
    {
        using var reader = new StreamReader(new MemoryStream(ReadAllBytes(path, maxBytes)), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary><see cref="ReadAllText"/> for async callers.</summary>
    public static Task<string> ReadAllTextAsync(string path, long maxBytes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(ReadAllText(path, maxBytes));
    }
}

/// <summary>A file larger than any file of its kind: its message says how large, and the bound (the caller names the file).</summary>
internal sealed class FileTooLargeException(string size, long maxBytes) : IOException(
    $"it is {size} bytes, larger than any such file Bootstrap reads ({Bound(maxBytes)})")
{
    /// <summary>Its size in bytes as known ("67108865", or "more than 16777216" when it grew past the bound while read).</summary>
    public string Size { get; } = size;

    /// <summary>The bound, for people: "64 MiB".</summary>
    public static string Bound(long bytes) => bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0
        ? (bytes / (1024 * 1024)).ToString(CultureInfo.InvariantCulture) + " MiB"
        : bytes.ToString(CultureInfo.InvariantCulture) + " bytes";
}
