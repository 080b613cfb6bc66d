using System.Globalization;

namespace Bootstrap.Core.Remote;

/// <summary>One path as <c>stat</c> (<see cref="Format"/>) reports it: its type, mode and owner, and its <see cref="FileIdentity"/>.</summary>
internal sealed record FileStat(string Path, bool IsRegular, int Mode, string Owner, string Group, FileIdentity Identity)
{
    /// <summary>
    /// The <c>stat -c</c> format: raw mode in hex (type and permission bits), owner, group, size, modification and change
    /// times with nanoseconds, inode, device, then the path (last: it may hold spaces).
    /// </summary>
    public const string Format = "%f %U %G %s %.9Y %.9Z %i %d %n";

    private const int RegularFile = 0x8000;

    private const int TypeBits = 0xF000;

    /// <summary>Reads one line of <see cref="Format"/> output; null when it is not one.</summary>
    public static FileStat? TryParse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var fields = line.Split(' ', 9);
        if (fields.Length != 9 || fields[8].Length == 0
            || !int.TryParse(fields[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var raw)
            || fields[1].Length == 0 || fields[2].Length == 0
            || !FileIdentity.TryParse(fields.AsSpan(3, 5), out var identity))
        {
            return null;
        }

        return new FileStat(fields[8], (raw & TypeBits) == RegularFile, raw & 0xFFF, fields[1], fields[2], identity);
    }
}
