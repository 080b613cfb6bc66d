namespace Bootstrap.Core.Remote;

/// <summary>
/// What <c>stat</c> says about a regular file's content without reading it: size, modification and change times (in
/// nanoseconds), inode and device. Writing the file, or renaming another over it, changes the change time (ctime), which
/// no user can set: <c>touch -d</c> and <c>utimensat</c> set the modification time and move the change time to now. So a
/// file whose identity is the one it had when it was hashed still has that content.
/// </summary>
internal readonly record struct FileIdentity(long Size, long ModifiedNs, long ChangedNs, ulong Inode, ulong Device)
{
    /// <summary>Reads the five fields as <c>stat -c '%s %.9Y %.9Z %i %d'</c> prints them; false when one is not a number of its kind.</summary>
    public static bool TryParse(ReadOnlySpan<string> fields, out FileIdentity identity)
    {
        identity = default;
        if (fields.Length != 5
            || !long.TryParse(fields[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size)
            || !TryParseTime(fields[1], out var modified)
            || !TryParseTime(fields[2], out var changed)
            || !ulong.TryParse(fields[3], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var inode)
            || !ulong.TryParse(fields[4], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var device))
        {
            return false;
        }

        identity = new FileIdentity(size, modified, changed, inode, device);
        return true;
    }

    /// <summary>The fields as <c>stat -c '%s %.9Y %.9Z %i %d'</c> prints them, which is also how the manifest of installed files keeps them.</summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Size} {Time(ModifiedNs)} {Time(ChangedNs)} {Inode} {Device}");

    private static string Time(long nanoseconds) =>
        string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"{(nanoseconds < 0 ? "-" : string.Empty)}{Math.Abs(nanoseconds / 1_000_000_000)}.{Math.Abs(nanoseconds % 1_000_000_000):D9}");

    /// <summary>A time as <c>%.9Y</c> prints it (<c>1700000000.123456789</c>, a sign before 1970), in nanoseconds.</summary>
    private static bool TryParseTime(string text, out long nanoseconds)
    {
        nanoseconds = 0;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot < 1 || text.Length - dot - 1 != 9
            || !decimal.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign | System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(seconds) >= 9_000_000_000m)
        {
            return false;
        }

        nanoseconds = (long)(seconds * 1_000_000_000m);
        return true;
    }
}
