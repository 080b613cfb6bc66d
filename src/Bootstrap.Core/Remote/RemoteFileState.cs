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

    /// <summary>
    /// One root command that prints "<c>&lt;64 hex&gt;</c>, two characters, path" per file, like <c>sha256sum</c>.
    /// It uses <c>openssl dgst</c> when the host has it (SHA extensions: about three times faster than
    /// coreutils on the lab's CPUs, which matters for 100 MB binaries hashed on every run) and falls back
    /// to <c>sha256sum</c>. The paths travel as arguments of a fixed script, never inside it. A path that is not a regular file,
    /// links followed (a device, a FIFO, a directory), is never read: it hashes as empty content (<see cref="EmptySha256"/>), so
    /// it differs from any file Bootstrap installs. /dev/zero linked in a certificate's place was hashed without end.
    /// </summary>
    public static RemoteCommand Sha256Command(IReadOnlyList<string> paths) =>
        new(["sh", "-c", Sha256Script, "sha256", .. paths], sudo: true);

    /// <summary>Whether <paramref name="command"/> is a <see cref="Sha256Command"/>: it reads files in full, however large.</summary>
    public static bool IsHashCommand(RemoteCommand command) =>
        command is { Argv: [ "sh", "-c", Sha256Script, ..] };

    /// <summary>
    /// A shell function <c>sha256</c>: <c>openssl dgst -sha256 -r</c> when the host has openssl, else <c>sha256sum</c>, with
    /// the arguments it is given (files, or none: standard input). Both print the digest first. The choice of tool for every
    /// script that hashes files of any size on a host (small content: <see cref="SmallSha256Function"/>).
    /// </summary>
    internal const string Sha256Function =
        "sha256() { if command -v openssl >/dev/null 2>&1; then openssl dgst -sha256 -r \"$@\"; else sha256sum \"$@\"; fi; }";

    /// <summary>
    /// <see cref="Sha256Function"/> for content of at most a few MiB (<see cref="AtomicInstall.OneCommandLimit"/>): <c>sha256sum</c>
    /// first, else openssl. On the lab's hosts openssl hashes a 110 MB binary in 0.14 s against sha256sum's 0.46 s (the CPU's SHA
    /// instructions), but starting it costs more than that on a small file: 23 ms against 7 ms for a certificate, paid once for each
    /// of the few hundred small files a fresh install writes.
    /// </summary>
    internal const string SmallSha256Function =
        "sha256() { if command -v sha256sum >/dev/null 2>&1; then sha256sum \"$@\"; else openssl dgst -sha256 -r \"$@\"; fi; }";

    /// <summary>The sha256 of no bytes: what a path that is not a regular file hashes as (<see cref="Sha256Command"/>).</summary>
    public const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    // Each argument is shifted off in turn; a regular file (or a missing path, which fails the hashing as it always did) is put back
    // at the end, anything else is printed as empty content. The loop's list is fixed when it starts, so after it the arguments
    // are the regular files, in their order, for one hashing process.
    private const string Sha256Script = Sha256Function
        + "; for p do shift; if [ -f \"$p\" ] || [ ! -e \"$p\" ]; then set -- \"$@\" \"$p\"; else printf '" + EmptySha256 + "  %s\\n' \"$p\"; fi; done"
        + "; [ $# -eq 0 ] || sha256 -- \"$@\"";

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
