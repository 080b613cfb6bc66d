using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Install;

/// <summary>
/// Puts a set of <see cref="DesiredFile"/>s on a host. The host's state is read for all files at once
/// (one <c>stat</c>, one digest command), and only files that differ are written, each atomically
/// and verified by sha256 on the host. In a dry run nothing is written.
/// </summary>
internal static class RemoteFiles
{
    public static async Task<IReadOnlyList<FileChange>> ApplyAsync(
        IRemoteHost host, IReadOnlyList<DesiredFile> files, bool dryRun, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(files);
        var current = await ProbeAsync(host, files.Select(f => f.Path).ToArray(), redactor, cancellationToken).ConfigureAwait(false);
        var changes = new List<FileChange>();
        foreach (var file in files)
        {
            var state = current[file.Path];
            FileChangeKind? kind = state is null ? FileChangeKind.Created
                : !string.Equals(state.Sha256, file.Sha256, StringComparison.OrdinalIgnoreCase) ? FileChangeKind.ContentChanged
                : !state.MatchesMetadata(file.Spec) ? FileChangeKind.MetadataChanged
                : null;
            if (kind is { } k)
            {
                changes.Add(new FileChange(file.Path, k));
            }
        }

        if (dryRun || changes.Count == 0)
        {
            return changes;
        }

        var directories = changes.Select(c => AtomicInstall.Split(c.Path).Directory).Distinct(StringComparer.Ordinal).ToArray();
        await host.RunCheckedAsync(new RemoteCommand(["mkdir", "-p", "--", .. directories], sudo: true), redactor, cancellationToken).ConfigureAwait(false);
        foreach (var change in changes)
        {
            var file = files.First(f => f.Path == change.Path);
            var content = await file.Open(cancellationToken).ConfigureAwait(false);
            await using (content.ConfigureAwait(false))
            {
                var result = await host.UploadAsync(content, file.Spec, cancellationToken).ConfigureAwait(false);
                if (!string.Equals(result.Sha256, file.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw new IOException($"{host.Name}: {file.Path} was written with sha256 {result.Sha256}, expected {file.Sha256}");
                }
            }
        }

        return changes;
    }

    /// <summary>The state of each path (null when it does not exist), read with two commands whatever the number of files.</summary>
    public static async Task<IReadOnlyDictionary<string, RemoteFileState?>> ProbeAsync(
        IRemoteHost host, IReadOnlyList<string> paths, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(paths);
        var result = paths.Distinct(StringComparer.Ordinal).ToDictionary(p => p, _ => (RemoteFileState?)null, StringComparer.Ordinal);
        if (result.Count == 0)
        {
            return result;
        }

        // %n last: a path may contain spaces. Missing files only add a line to stderr.
        var stat = await host.RunAsync(
            new RemoteCommand(["env", "LC_ALL=C", "stat", "-c", "%a %U %G %n", "--", .. result.Keys], sudo: true), cancellationToken).ConfigureAwait(false);
        var metadata = new Dictionary<string, (int Mode, string Owner, string Group)>(StringComparer.Ordinal);
        foreach (var line in stat.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', 4);
            if (parts.Length == 4 && result.ContainsKey(parts[3]))
            {
                metadata[parts[3]] = RemoteFileState.ParseStat(string.Join(' ', parts[..3]));
            }
        }

        if (!stat.Succeeded && metadata.Count + CountMissing(stat.Stderr) < result.Count)
        {
            throw new RemoteCommandException(host.Name, "stat of the files to install", stat);
        }

        if (metadata.Count == 0)
        {
            return result;
        }

        var sums = await host.RunCheckedAsync(RemoteFileState.Sha256Command([.. metadata.Keys]), redactor, cancellationToken)
            .ConfigureAwait(false);
        foreach (var line in sums.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "<64 hex>  <path>" or "<64 hex> *<path>"; names with backslashes or newlines, which we never install, would be escaped.
            if (line.Length > 66 && metadata.TryGetValue(line[66..], out var meta))
            {
                result[line[66..]] = new RemoteFileState(line[..64].ToLowerInvariant(), meta.Mode, meta.Owner, meta.Group);
            }
        }

        return result;
    }

    private static int CountMissing(string stderr) =>
        stderr.Split('\n').Count(l => l.Contains("No such file or directory", StringComparison.Ordinal));
}
