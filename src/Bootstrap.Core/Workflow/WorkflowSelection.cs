using Bootstrap.Core.Config;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// Which phases of a tree run: all, or one path and what is under it; minus the skipped paths and what is under them.
/// Optionally only on some hosts: each leaf then runs on its targets that are among <see cref="Hosts"/>
/// (targets that are not hosts, such as the cluster's API, are kept, and so are every host of an <see cref="IEveryHostPhase"/>). Guards (<see cref="IGuardPhase"/>) run
/// whenever a later leaf does, on the hosts the later leaves act on.
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
    /// Hosts that could not be reached, in a run that goes on without them (<c>reset</c>): phases that work on hosts over SSH
    /// leave them out; phases that act through the API (<see cref="IApiPhase"/>, the cluster) still cover them.
    /// </summary>
    public IReadOnlySet<string> Unreachable { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// The problems with this selection against <paramref name="tree"/> (unknown paths, skipped guards) and, when
    /// given, <paramref name="config"/> (unknown host names), each named with the known ones.
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
        problems.AddRange(tree.Walk()
            .Where(p => p.Phase is IGuardPhase && Skip.Any(s => PhaseTree.Normalize(s) == p.Path))
            .Select(p => $"the phase \"{p.Path}\" cannot be skipped: it runs before anything is written and only reads"));
        if (config is not null)
        {
            var hosts = config.Hosts.Select(h => h.Name).ToList();
            problems.AddRange(Hosts
                .Where(name => !hosts.Contains(name, StringComparer.Ordinal))
                .Select(name => $"unknown host {InputQuote.Quote(name)}; the hosts of {config.Name} are: {string.Join(", ", hosts)}"));
        }

        return problems;
    }

    /// <summary>Every leaf of <paramref name="tree"/> in run order, with whether it runs and its targets under this selection.</summary>
    public IReadOnlyList<WorkflowStep> Steps(PhaseTree tree, ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(config);
        var leaves = tree.Walk()
            .Where(p => p.Phase.Children.Count == 0)
            .Select(p => (p.Path, Leaf: p.Phase as ILeafPhase ?? throw new InvalidOperationException($"{p.Path} has no children and is not a leaf phase")))
            .Where(p => Only is null || InScope(p.Path, PhaseTree.Normalize(Only)) || p.Leaf is IGuardPhase)
            .ToList();
        var steps = new WorkflowStep[leaves.Count];

        // Backwards, so each guard knows which hosts the included leaves after it act on.
        var later = new HashSet<string>(StringComparer.Ordinal);
        var anyLater = false;
        for (var i = leaves.Count - 1; i >= 0; i--)
        {
            var (path, leaf) = leaves[i];
            if (leaf is IGuardPhase)
            {
                var targets = anyLater ? leaf.Targets(config).Where(t => t.Host is not null && later.Contains(t.Name) && !Unreachable.Contains(t.Name)).ToList() : [];
                steps[i] = new WorkflowStep(path, leaf, anyLater, targets);
                continue;
            }

            var included = Includes(path);
            var own = included ? TargetsOf(leaf, config) : [];
            steps[i] = new WorkflowStep(path, leaf, included, own);
            if (included)
            {
                anyLater = true;
                later.UnionWith(own.Where(t => t.Host is not null).Select(t => t.Name));
            }
        }

        // A guard that has nothing after it is left out, not reported as skipped.
        return [.. steps.Where(s => s.Included || s.Phase is not IGuardPhase)];
    }

    /// <summary>
    /// The targets <paramref name="phase"/> acts on under this selection: its own, hosts restricted to <see cref="Hosts"/>
    /// (all of them for an <see cref="IEveryHostPhase"/>).
    /// </summary>
    public IReadOnlyList<PhaseTarget> TargetsOf(ILeafPhase phase, ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(phase);
        ArgumentNullException.ThrowIfNull(config);
        var targets = phase.Targets(config)
            .Where(t => t.Host is null || phase is IApiPhase || !Unreachable.Contains(t.Name))
            .ToList();
        return Hosts.Count == 0 || phase is IEveryHostPhase
            ? targets
            : targets.Where(t => t.Host is null || Hosts.Contains(t.Name, StringComparer.Ordinal)).ToList();
    }

    /// <summary>Whether the phase at <paramref name="path"/> runs under this selection (guards aside).</summary>
    public bool Includes(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Only is { } only && !IsAtOrUnder(path, PhaseTree.Normalize(only)) && !IsAtOrUnder(PhaseTree.Normalize(only), path))
        {
            return false;
        }

        return !Skip.Any(skip => IsAtOrUnder(path, PhaseTree.Normalize(skip)));
    }

    private static bool InScope(string path, string only) => IsAtOrUnder(path, only);

    private static bool IsAtOrUnder(string path, string ancestor) =>
        string.Equals(path, ancestor, StringComparison.Ordinal) || path.StartsWith(ancestor + "/", StringComparison.Ordinal);
}
