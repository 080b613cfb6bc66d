using Bootstrap.Core.Config;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// Which phases of a tree run: all, or one path and what is under it; minus the skipped paths and what is under them.
/// Optionally only on some hosts: each leaf then runs on its targets that are among <see cref="Hosts"/>
/// (cluster-wide phases, <see cref="IClusterWidePhase"/>, still run once).
/// </summary>
public sealed record WorkflowSelection
{
    public static WorkflowSelection All { get; } = new();

    /// <summary>Run only this phase (and its sub-phases); null for the whole tree.</summary>
    public string? Only { get; init; }

    /// <summary><c>--skip-phases</c>: these phases and their sub-phases do not run.</summary>
    public IReadOnlyList<string> Skip { get; init; } = [];

    /// <summary>Run only on these hosts (names in the cluster file); empty for every target host of each phase.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary>
    /// The problems with this selection against <paramref name="tree"/> (unknown paths) and, when given,
    /// <paramref name="config"/> (unknown host names), each named with the known ones.
    /// </summary>
    public IReadOnlyList<string> Problems(PhaseTree tree, ClusterConfig? config = null)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var known = tree.Walk().Select(p => p.Path).ToHashSet(StringComparer.Ordinal);
        var wanted = (Only is null ? [] : new[] { Only }).Concat(Skip);
        var problems = wanted
            .Where(path => !known.Contains(PhaseTree.Normalize(path)))
            .Select(path => $"unknown phase {InputQuote.Quote(path)}; the phases of {tree.Name} are: {string.Join(", ", known)}")
            .ToList();
        if (config is not null)
        {
            var hosts = config.Hosts.Select(h => h.Name).ToList();
            problems.AddRange(Hosts
                .Where(name => !hosts.Contains(name, StringComparer.Ordinal))
                .Select(name => $"unknown host {InputQuote.Quote(name)}; the hosts of {config.Name} are: {string.Join(", ", hosts)}"));
        }

        return problems;
    }

    /// <summary>
    /// The hosts <paramref name="phase"/> runs on under this selection: its targets, restricted to
    /// <see cref="Hosts"/> unless it is cluster-wide.
    /// </summary>
    public IReadOnlyList<HostSpec> TargetsOf(IPhase phase, ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(phase);
        ArgumentNullException.ThrowIfNull(config);
        var targets = phase.Targets(config);
        return Hosts.Count == 0 || phase is IClusterWidePhase
            ? targets
            : targets.Where(h => Hosts.Contains(h.Name, StringComparer.Ordinal)).ToList();
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
