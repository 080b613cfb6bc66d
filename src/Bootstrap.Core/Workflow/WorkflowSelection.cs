namespace Bootstrap.Core.Workflow;

/// <summary>Which phases of a tree run: all, or one path and what is under it; minus the skipped paths and what is under them.</summary>
public sealed record WorkflowSelection
{
    public static WorkflowSelection All { get; } = new();

    /// <summary>Run only this phase (and its sub-phases); null for the whole tree.</summary>
    public string? Only { get; init; }

    /// <summary><c>--skip-phases</c>: these phases and their sub-phases do not run.</summary>
    public IReadOnlyList<string> Skip { get; init; } = [];

    /// <summary>The problems with this selection against <paramref name="tree"/>: unknown paths, each named.</summary>
    public IReadOnlyList<string> Problems(PhaseTree tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var known = tree.Walk().Select(p => p.Path).ToHashSet(StringComparer.Ordinal);
        var wanted = (Only is null ? [] : new[] { Only }).Concat(Skip);
        return wanted
            .Where(path => !known.Contains(PhaseTree.Normalize(path)))
            .Select(path => $"unknown phase \"{path}\"; the phases of {tree.Name} are: {string.Join(", ", known)}")
            .ToList();
    }

    /// <summary>Whether the phase at <paramref name="path"/> runs under this selection.</summary>
    public bool Includes(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Only is { } only && !IsAtOrUnder(path, PhaseTree.Normalize(only)) && !IsAtOrUnder(PhaseTree.Normalize(only), path))
        {
            return false;
        }

        return !Skip.Any(skip => IsAtOrUnder(path, PhaseTree.Normalize(skip)));
    }

    private static bool IsAtOrUnder(string path, string ancestor) =>
        string.Equals(path, ancestor, StringComparison.Ordinal) || path.StartsWith(ancestor + "/", StringComparison.Ordinal);
}
