namespace Bootstrap.Core.Workflow;

/// <summary>
/// A workflow (<c>init</c>, <c>join</c> …): its top-level phases, each addressable by a path of
/// names joined with <c>/</c>, like kubeadm's <c>certs/apiserver</c>.
/// </summary>
public sealed class PhaseTree
{
    public PhaseTree(string name, IReadOnlyList<IPhase> phases)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(phases);
        Name = name;
        Phases = phases.ToArray();
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, _) in Walk())
        {
            if (!paths.Add(path))
            {
                throw new ArgumentException($"The workflow {name} has two phases at {path}.", nameof(phases));
            }
        }
    }

    public string Name { get; }

    public IReadOnlyList<IPhase> Phases { get; }

    /// <summary>Every phase with its path, depth first, in run order (a group before its children).</summary>
    public IEnumerable<(string Path, IPhase Phase)> Walk() => Walk(Phases, prefix: null);

    public IPhase? Find(string path) =>
        Walk().Where(p => string.Equals(p.Path, Normalize(path), StringComparison.Ordinal)).Select(p => p.Phase).FirstOrDefault();

    /// <summary>Accepts <c>certs/apiserver</c>, <c>/certs/apiserver/</c> and any letter case.</summary>
    public static string Normalize(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.Trim().Trim('/').ToLowerInvariant();
    }

    private static IEnumerable<(string Path, IPhase Phase)> Walk(IReadOnlyList<IPhase> phases, string? prefix)
    {
        foreach (var phase in phases)
        {
            var path = prefix is null ? phase.Name : prefix + "/" + phase.Name;
            yield return (path, phase);
            foreach (var child in Walk(phase.Children, path))
            {
                yield return child;
            }
        }
    }
}
