using System.Globalization;

namespace Bootstrap.Core.Remote;

/// <summary>
/// One entry of a host's manifest of installed files (<see cref="InstalledFilesManifest"/>): a file's sha256 with the
/// <see cref="FileIdentity"/> it had when the sha256 was known (written by Bootstrap, or hashed in full).
/// </summary>
internal sealed record InstalledFile(string Path, string Sha256, FileIdentity Identity)
{
    /// <summary>Whether the file <paramref name="stat"/> reports is, as far as a change of content would show, the one this entry hashed.</summary>
    public bool Describes(FileStat stat)
    {
        ArgumentNullException.ThrowIfNull(stat);
        return stat.IsRegular && stat.Path == Path && stat.Identity == Identity;
    }

    /// <summary>The manifest line, without its newline: sha256, the identity as <c>stat</c> prints it, the path last.</summary>
    public override string ToString() => $"{Sha256} {Identity} {Path}";

    /// <summary>
    /// Reads a manifest line; null for anything else (a comment, a line cut short, another format): such a line is
    /// ignored, and the file it might name is hashed.
    /// </summary>
    public static InstalledFile? TryParse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var fields = line.Split(' ', 7);
        if (fields.Length != 7
            || fields[0].Length != 64 || !fields[0].All(char.IsAsciiHexDigitLower)
            || !fields[6].StartsWith('/') || fields[6].Any(char.IsControl)
            || !FileIdentity.TryParse(fields.AsSpan(1, 5), out var identity))
        {
            return null;
        }

        return new InstalledFile(fields[6], fields[0], identity);
    }

    /// <summary>The entry for a file <paramref name="stat"/> reports, hashed to <paramref name="sha256"/>.</summary>
    public static InstalledFile Of(FileStat stat, string sha256)
    {
        ArgumentNullException.ThrowIfNull(stat);
        return new InstalledFile(stat.Path, sha256.ToLower(CultureInfo.InvariantCulture), stat.Identity);
    }
}
