namespace Bootstrap.Core.Remote;

/// <summary>
/// Reads the sha256, mode and owner of many files on a host, whatever their number, with one command (<c>stat</c> of every
/// file and a read of the host's manifest of installed files) and a second only for the files to hash: those no entry of the
/// manifest describes as they are now (<see cref="InstalledFilesManifest"/>).
/// </summary>
internal static class RemoteFileProbe
{
    /// <summary>The line between <c>stat</c>'s output and the manifest's text.</summary>
    internal const string ManifestMarker = "--- installed files";

    /// <summary>At most this much of the manifest is read (as <see cref="RemoteFileRead"/> reads any file): a longer one reads as damaged.</summary>
    private static readonly string ManifestReadBytes = (RemoteFileRead.MaxBytes + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// <c>stat</c> of the paths (its exit status is the command's: a missing file fails it, the others are still reported), then
    /// the marker and the manifest <c>$2</c> (nothing when it does not exist or is not a regular file: a device there would never
    /// end). The paths travel as arguments, never inside the script.
    /// </summary>
    private static readonly string StatScript =
        "f=$1 m=$2; shift 2; LC_ALL=C stat -c \"$f\" -- \"$@\"; r=$?; echo '" + ManifestMarker + "'; [ ! -f \"$m\" ] || head -c " + ManifestReadBytes + " -- \"$m\" 2>/dev/null; exit $r";

    /// <summary>The state of each path (null when it does not exist), every file hashed in full: two commands whatever the number of files.</summary>
    public static async Task<IReadOnlyDictionary<string, RemoteFileState?>> ReadAsync(
        IRemoteHost host, IReadOnlyList<string> paths, SecretRedactor redactor, CancellationToken cancellationToken) =>
        (await ProbeAsync(host, paths, manifest: null, known: null, redactor, cancellationToken).ConfigureAwait(false)).States;

    /// <summary>
    /// The state of each path (null when it does not exist). A regular file that an entry of <paramref name="known"/> or of the
    /// host's <paramref name="manifest"/> describes as it is now takes that entry's sha256; the others are hashed, with one more
    /// command. Without <paramref name="manifest"/>, the manifest is not read.
    /// </summary>
    public static async Task<FileProbe> ProbeAsync(
        IRemoteHost host,
        IReadOnlyList<string> paths,
        string? manifest,
        IReadOnlyDictionary<string, InstalledFile>? known,
        SecretRedactor redactor,
        CancellationToken cancellationToken)
    {
        var (stats, read) = await StatAsync(host, paths, manifest, cancellationToken).ConfigureAwait(false);
        var states = stats.ToDictionary(s => s.Key, _ => (RemoteFileState?)null, StringComparer.Ordinal);
        var toHash = new Dictionary<string, FileStat>(StringComparer.Ordinal);
        foreach (var stat in stats.Values.OfType<FileStat>())
        {
            var entry = known?.GetValueOrDefault(stat.Path) is { } mine && mine.Describes(stat) ? mine : read?.For(stat);
            if (entry is null)
            {
                toHash[stat.Path] = stat;
            }
            else
            {
                states[stat.Path] = new RemoteFileState(entry.Sha256, stat.Mode, stat.Owner, stat.Group);
            }
        }

        var hashed = new List<InstalledFile>();
        if (toHash.Count > 0)
        {
            var sums = await host.RunCheckedAsync(RemoteFileState.Sha256Command([.. toHash.Keys]), redactor, cancellationToken).ConfigureAwait(false);
            foreach (var line in sums.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                // "<64 hex>  <path>" or "<64 hex> *<path>"; names with backslashes or newlines, which we never install, would be escaped.
                if (line.Length > 66 && toHash.TryGetValue(line[66..], out var stat))
                {
                    var sha256 = RemoteFileState.ParseSha256Sum(line[..64]);
                    states[stat.Path] = new RemoteFileState(sha256, stat.Mode, stat.Owner, stat.Group);
                    if (stat.IsRegular)
                    {
                        hashed.Add(InstalledFile.Of(stat, sha256));
                    }
                }
            }
        }

        return new FileProbe(states, hashed, read, stats);
    }

    /// <summary>
    /// What <c>stat</c> reports of each path (null when it does not exist) and, with <paramref name="manifest"/>, the manifest as it
    /// is (empty when there is none): one command.
    /// </summary>
    public static async Task<(IReadOnlyDictionary<string, FileStat?> Stats, InstalledFilesManifest? Manifest)> StatAsync(
        IRemoteHost host, IReadOnlyList<string> paths, string? manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(paths);
        var stats = paths.Distinct(StringComparer.Ordinal).ToDictionary(p => p, _ => (FileStat?)null, StringComparer.Ordinal);
        if (stats.Count == 0)
        {
            return (stats, manifest is null ? null : InstalledFilesManifest.Empty);
        }

        var command = manifest is null
            ? new RemoteCommand(["env", "LC_ALL=C", "stat", "-c", FileStat.Format, "--", .. stats.Keys], sudo: true)
            : new RemoteCommand(ProbeArgv(manifest, stats.Keys), sudo: true);
        var result = await host.RunAsync(command, cancellationToken).ConfigureAwait(false);
        var output = result.Stdout;
        string? text = null;
        if (manifest is not null)
        {
            var at = MarkerAt(output);
            if (at >= 0)
            {
                text = output[(at + ManifestMarker.Length + 1)..];
                output = output[..at];
            }
        }

        var found = 0;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (FileStat.TryParse(line) is { } stat && stats.TryGetValue(stat.Path, out var seen) && seen is null)
            {
                stats[stat.Path] = stat;
                found++;
            }
        }

        // Missing files only add a line to stderr; anything else unaccounted for is an error, never a file taken as missing.
        if (found + CountMissing(result.Stderr) < stats.Count || (manifest is not null && text is null))
        {
            throw new RemoteCommandException(host.Name, "stat of the files to install", result);
        }

        return (stats, text is null ? null : InstalledFilesManifest.Parse(text));
    }

    /// <summary>The argv of the probe of <paramref name="paths"/> with the manifest <paramref name="manifest"/>: one process for the stat, one for the manifest.</summary>
    internal static IReadOnlyList<string> ProbeArgv(string manifest, IEnumerable<string> paths) =>
        ["sh", "-c", StatScript, "probe", FileStat.Format, manifest, .. paths];

    /// <summary>The manifest and paths of a probe's argv (<see cref="ProbeArgv"/>); null when the argv is no probe.</summary>
    internal static (string Manifest, IReadOnlyList<string> Paths)? AsProbe(IReadOnlyList<string> argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        return argv.Count > 6 && argv[0] == "sh" && argv[1] == "-c" && argv[2] == StatScript && argv[3] == "probe" && argv[4] == FileStat.Format
            ? (argv[5], argv.Skip(6).ToList())
            : null;
    }

    /// <summary>
    /// What the probe of <paramref name="paths"/> alone would have returned, cut out of <paramref name="merged"/>, the result of
    /// one probe of a superset of them with the same manifest: its paths' <c>stat</c> lines in its order, the marker and the
    /// manifest, its paths' "No such file or directory" lines, and exit status 1 when one of them is missing. Null when the
    /// merged result holds anything else (another error, a line that is no stat line, a path it does not account for): that
    /// read then goes to the host.
    /// </summary>
    internal static CommandResult? Split(CommandResult merged, IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(merged);
        ArgumentNullException.ThrowIfNull(paths);
        var output = merged.Stdout;
        var at = MarkerAt(output);
        if (merged.ExitCode is not (0 or 1) || at < 0)
        {
            return null;
        }

        var lines = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output[..at].Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (FileStat.TryParse(line) is not { } stat || !lines.TryAdd(stat.Path, line))
            {
                return null;
            }
        }

        var missing = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in merged.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // GNU stat: "stat: cannot statx '/path': No such file or directory" (our paths need no other quoting).
            var start = line.IndexOf('\'', StringComparison.Ordinal);
            var end = line.LastIndexOf("': No such file or directory", StringComparison.Ordinal);
            if (start < 0 || end <= start || !missing.TryAdd(line[(start + 1)..end], line))
            {
                return null;
            }
        }

        var stdout = new System.Text.StringBuilder();
        var stderr = new System.Text.StringBuilder();
        foreach (var path in paths)
        {
            if (lines.TryGetValue(path, out var line))
            {
                stdout.Append(line).Append('\n');
            }
            else if (missing.TryGetValue(path, out var error))
            {
                stderr.Append(error).Append('\n');
            }
            else
            {
                return null;
            }
        }

        stdout.Append(output[at..]);
        return new CommandResult(stderr.Length > 0 ? 1 : 0, stdout.ToString(), stderr.ToString());
    }

    /// <summary>
    /// Where the probe's marker line starts in its output, -1 when there is none: the first marker line ends stat's output (the
    /// paths are ours: none holds a newline); whatever follows it is the manifest's.
    /// </summary>
    private static int MarkerAt(string output) =>
        output.StartsWith(ManifestMarker + "\n", StringComparison.Ordinal) ? 0
        : output.IndexOf("\n" + ManifestMarker + "\n", StringComparison.Ordinal) is var newline and >= 0 ? newline + 1
        : -1;

    private static int CountMissing(string stderr) =>
        stderr.Split('\n').Count(l => l.Contains("No such file or directory", StringComparison.Ordinal));
}
