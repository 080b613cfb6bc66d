using System.Text;

namespace Bootstrap.Core.Remote;

/// <summary>
/// A host's manifest of installed files (<see cref="DefaultPath"/>, root's, 0600): for each file Bootstrap wrote, or hashed in
/// full, its sha256 and the <see cref="FileIdentity"/> the file had then (<see cref="InstalledFile"/>). A probe takes a file's
/// sha256 from here only while <c>stat</c> reports that same identity (size, modification and change times, inode, device),
/// so the manifest only ever saves reading a file. Its change time (ctime) is set by the kernel whenever the file is written
/// or replaced and cannot be set by a user, even one who puts its modification time back with <c>touch -d</c>: a changed
/// file never matches its entry and is hashed. A line that does not parse (another format, a line cut short, a path the
/// run never asks about) is ignored, and the file it might name hashed.
/// </summary>
/// <remarks>
/// Lines are appended by the command that renames an installed file in place (<see cref="CommitCommand"/>); a run that hashed
/// files without an entry writes the manifest whole again (<see cref="Merge"/>, <see cref="WriteCommand"/>), one line per file.
/// The times have the file system's granularity (a kernel clock tick on ext4 and overlayfs): only a write landing in the same
/// tick as the recording, by another root process racing Bootstrap's own install, could go unseen; <c>--verify</c> hashes
/// every file whatever the manifest says.
/// </remarks>
internal sealed class InstalledFilesManifest
{
    /// <summary>Beside the binaries Bootstrap stages (<c>/var/lib/bootstrap/binaries</c>); <c>bootstrap reset</c> removes both.</summary>
    public const string DefaultPath = "/var/lib/bootstrap/installed-files";

    private const string Header = "# bootstrap: the files it installed or hashed: sha256 size mtime ctime inode device path; see docs/phases.md";

    /// <summary>
    /// Renames an installed file's temp copy over it (<c>$3</c> → <c>$4</c>; the rename alone when <c>$3</c> is empty), then appends
    /// its line to the manifest <c>$1</c> with the sha256 <c>$2</c>: what <c>stat</c> reports right after the rename. A failed append
    /// leaves the file installed (and only unrecorded: it is hashed next time).
    /// </summary>
    private const string CommitScript = "m=$1 h=$2 p=$4; [ -z \"$3\" ] || mv -f -- \"$3\" \"$p\" || exit; " + RecordFragment;

    /// <summary>
    /// Appends the line of the file <c>$p</c>, whose sha256 is <c>$h</c>, to the manifest <c>$m</c> (shell variables the script that
    /// includes it sets): what <c>stat</c> reports now. Never fails: a file left unrecorded is only hashed next time.
    /// </summary>
    internal const string RecordFragment =
        "umask 077; { { [ -d \"${m%/*}\" ] || mkdir -p -- \"${m%/*}\"; } && LC_ALL=C stat -c \"$h %s %.9Y %.9Z %i %d %n\" -- \"$p\" >> \"$m\"; } || true";

    /// <summary>Replaces the manifest <c>$1</c> with standard input: a 0600 temp file beside it, renamed over it.</summary>
    private const string WriteScript =
        "umask 077; mkdir -p -- \"${1%/*}\" && t=$(mktemp \"$1.XXXXXXXX\") || { cat > /dev/null; exit 1; }; if cat > \"$t\" && mv -f -- \"$t\" \"$1\"; then exit 0; fi; rm -f -- \"$t\"; cat > /dev/null; exit 1";

    private InstalledFilesManifest(string text, IReadOnlyDictionary<string, InstalledFile> entries, bool wasteful)
    {
        Text = text;
        Entries = entries;
        Wasteful = wasteful;
    }

    public static InstalledFilesManifest Empty { get; } = new(string.Empty, new Dictionary<string, InstalledFile>(StringComparer.Ordinal), wasteful: false);

    /// <summary>The manifest as it was read.</summary>
    public string Text { get; }

    /// <summary>The entry of each path (the last line for it wins: lines are appended as files are installed again).</summary>
    public IReadOnlyDictionary<string, InstalledFile> Entries { get; }

    /// <summary>Whether the text is exactly one line per file, as <see cref="Render"/> writes it (no path twice, no line that does not parse).</summary>
    public bool Tidy => Text.Length == 0 ? Entries.Count == 0 : Render(Entries.Values) == Text;

    /// <summary>
    /// Whether writing it whole again pays: it ends with a piece cut short (the next line appended would run into it), or more of
    /// its lines are of no use than of use (a path's earlier lines, left by installing the file again or by putting a staged
    /// binary in place, which changes the staged file's ctime; lines that do not parse, but the header): the earlier lines are
    /// dropped once they make it more than twice its tidy size. Lines appended in any order, without a header, read as the
    /// tidy form does.
    /// </summary>
    public bool Wasteful { get; }

    /// <summary>Whether <paramref name="other"/> has exactly these entries (whatever either's text).</summary>
    public bool HasEntriesOf(InstalledFilesManifest other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.Entries.Count == Entries.Count && other.Entries.All(e => Entries.TryGetValue(e.Key, out var mine) && mine == e.Value);
    }

    public static InstalledFilesManifest Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new Dictionary<string, InstalledFile>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        var useless = 0;
        // The last piece follows the last newline: a line an interrupted append cut short, or nothing.
        foreach (var line in lines.AsSpan(0, lines.Length - 1))
        {
            if (InstalledFile.TryParse(line) is { } entry)
            {
                useless += entries.ContainsKey(entry.Path) ? 1 : 0;
                entries[entry.Path] = entry;
            }
            else if (line != Header)
            {
                useless++;
            }
        }

        return new InstalledFilesManifest(text, entries, lines[^1].Length > 0 || useless > entries.Count);
    }

    /// <summary>The entry that describes the file as <paramref name="stat"/> reports it now; null when none does.</summary>
    public InstalledFile? For(FileStat stat)
    {
        ArgumentNullException.ThrowIfNull(stat);
        return Entries.TryGetValue(stat.Path, out var entry) && entry.Describes(stat) ? entry : null;
    }

    /// <summary>
    /// The manifest with <paramref name="verified"/> recorded, each only while its file still has the identity it was hashed
    /// with (<paramref name="stats"/>, read just now), and without the entries of the paths <paramref name="stats"/> covers
    /// that no longer describe their file (it changed or is gone); entries of other paths stay as they are.
    /// </summary>
    public string Merge(IReadOnlyDictionary<string, FileStat?> stats, IEnumerable<InstalledFile> verified)
    {
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(verified);
        var merged = new Dictionary<string, InstalledFile>(Entries, StringComparer.Ordinal);
        foreach (var (path, stat) in stats)
        {
            if (merged.TryGetValue(path, out var entry) && (stat is null || !entry.Describes(stat)))
            {
                merged.Remove(path);
            }
        }

        foreach (var entry in verified)
        {
            if (stats.GetValueOrDefault(entry.Path) is { } stat && entry.Describes(stat))
            {
                merged[entry.Path] = entry;
            }
        }

        return merged.Count == 0 && Text.Length == 0 ? string.Empty : Render(merged.Values);
    }

    /// <summary>A header line, then one line per entry, by path.</summary>
    public static string Render(IEnumerable<InstalledFile> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var text = new StringBuilder(Header).Append('\n');
        foreach (var entry in entries.OrderBy(e => e.Path, StringComparer.Ordinal))
        {
            text.Append(entry).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>
    /// One root command that renames <paramref name="temp"/> over <paramref name="target"/> (when <paramref name="temp"/> is not
    /// null) and records <paramref name="target"/> with <paramref name="sha256"/> in <paramref name="manifest"/>.
    /// </summary>
    public static RemoteCommand CommitCommand(string manifest, string sha256, string? temp, string target)
    {
        ArgumentException.ThrowIfNullOrEmpty(manifest);
        ArgumentException.ThrowIfNullOrEmpty(target);
        if (sha256.Length != 64 || !sha256.All(Uri.IsHexDigit))
        {
            throw new ArgumentException($"not a sha256: {sha256}", nameof(sha256));
        }

        return new RemoteCommand(["sh", "-c", CommitScript, "install", manifest, sha256.ToLowerInvariant(), temp ?? string.Empty, target], sudo: true);
    }

    /// <summary>One root command that replaces <paramref name="manifest"/> with <paramref name="text"/>, atomically, root's and 0600.</summary>
    public static RemoteCommand WriteCommand(string manifest, string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(manifest);
        ArgumentNullException.ThrowIfNull(text);
        return new RemoteCommand(["sh", "-c", WriteScript, "record", manifest], sudo: true, stdin: Encoding.UTF8.GetBytes(text));
    }
}
