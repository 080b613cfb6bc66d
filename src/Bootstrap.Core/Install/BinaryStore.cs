namespace Bootstrap.Core.Install;

/// <summary>
/// Where hosts keep the binaries Bootstrap installs, by content: <c>/var/lib/bootstrap/binaries/NAME-SHA256PREFIX</c>. A binary is
/// uploaded there (staged) before it is put in place on the host (a hard link to the staged file, or a copy where that cannot be);
/// the one it replaced stays, so a step back (a rollback) needs no upload; older ones are removed when a new one goes in place.
/// </summary>
internal static class BinaryStore
{
    public const string Directory = "/var/lib/bootstrap/binaries";

    private const int DigestCharacters = 16;

    public static string PathFor(string name, string sha256)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(sha256);
        return $"{Directory}/{name}-{sha256[..Math.Min(DigestCharacters, sha256.Length)].ToLowerInvariant()}";
    }
}
