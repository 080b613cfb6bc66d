namespace Bootstrap.Core.Config;

/// <summary>Facts about paths on the workstation that explain why a directory cannot be made there.</summary>
internal static class LocalPaths
{
    /// <summary>Linux's PATH_MAX: no longer path can be opened, and none is walked parent by parent.</summary>
    public const int MaxLength = 4096;

    /// <summary>
    /// The file that stands where <paramref name="path"/> or one of its missing parents would have to be a
    /// directory (<paramref name="path"/> itself, or e.g. /x/f for /x/f/state); null when there is none.
    /// </summary>
    public static string? FileInTheWay(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length > MaxLength)
        {
            return null;
        }

        for (var current = path; !string.IsNullOrEmpty(current); current = Path.GetDirectoryName(current))
        {
            if (Directory.Exists(current))
            {
                return null;
            }

            if (File.Exists(current))
            {
                return current;
            }
        }

        return null;
    }
}
