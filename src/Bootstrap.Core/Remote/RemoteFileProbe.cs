namespace Bootstrap.Core.Remote;

/// <summary>Reads the sha256, mode and owner of many files on a host with two commands, whatever their number.</summary>
internal static class RemoteFileProbe
{
    /// <summary>The state of each path (null when it does not exist), read with two commands whatever the number of files.</summary>
    public static async Task<IReadOnlyDictionary<string, RemoteFileState?>> ReadAsync(
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
