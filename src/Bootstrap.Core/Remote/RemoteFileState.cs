using System.Globalization;

namespace Bootstrap.Core.Remote;

/// <summary>What a file on a host is now: content hash, mode and owner.</summary>
internal sealed record RemoteFileState(string Sha256, int Mode, string Owner, string Group)
{
    public bool Matches(FileSpec spec, string sha256) =>
        string.Equals(Sha256, sha256, StringComparison.OrdinalIgnoreCase) && MatchesMetadata(spec);

    public bool MatchesMetadata(FileSpec spec) =>
        Mode == spec.Mode && Owner == spec.Owner && Group == spec.Group;

    /// <summary>Parses <c>stat -c '%a %U %G'</c> output.</summary>
    public static (int Mode, string Owner, string Group) ParseStat(string text)
    {
        var parts = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3)
        {
            throw new FormatException($"Unexpected stat output: {text.Trim()}");
        }

        return (Convert.ToInt32(parts[0], 8), parts[1], parts[2]);
    }

    /// <summary>Parses <c>sha256sum</c> output: the first word is the hex digest.</summary>
    public static string ParseSha256Sum(string text)
    {
        var digest = text.Trim().Split(' ', 2)[0];
        if (digest.Length != 64 || !digest.All(Uri.IsHexDigit))
        {
            throw new FormatException($"Unexpected sha256sum output: {text.Trim()}");
        }

        return digest.ToLower(CultureInfo.InvariantCulture);
    }
}
