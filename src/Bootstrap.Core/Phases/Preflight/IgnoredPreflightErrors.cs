namespace Bootstrap.Core.Phases.Preflight;

/// <summary>
/// <c>--ignore-preflight-errors</c>: check names (any letter case, comma-separated or repeated) or
/// <c>all</c>. Matching errors become warnings; nothing else changes.
/// </summary>
public sealed class IgnoredPreflightErrors
{
    private readonly HashSet<string> _names;

    private IgnoredPreflightErrors(HashSet<string> names) => _names = names;

    public static IgnoredPreflightErrors None { get; } = new(new HashSet<string>(StringComparer.OrdinalIgnoreCase));

    public bool All => _names.Contains("all");

    public IReadOnlyCollection<string> Names => _names;

    /// <summary>Parses the flag's values; <c>all</c> cannot be combined with names (kubeadm refuses that too).</summary>
    public static IgnoredPreflightErrors Parse(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var names = new HashSet<string>(
            values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
            StringComparer.OrdinalIgnoreCase);
        if (names.Contains("all") && names.Count > 1)
        {
            throw new ArgumentException("--ignore-preflight-errors: \"all\" cannot be combined with check names.");
        }

        return new IgnoredPreflightErrors(names);
    }

    public bool Ignores(string checkName) => All || _names.Contains(checkName);

    public IReadOnlyList<CheckResult> Apply(IReadOnlyList<CheckResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return results
            .Select(r => r.Severity == CheckSeverity.Error && Ignores(r.Name) ? r with { Severity = CheckSeverity.Warning, Ignored = true } : r)
            .ToList();
    }
}
