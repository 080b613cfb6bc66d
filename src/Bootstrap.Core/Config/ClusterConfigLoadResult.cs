namespace Bootstrap.Core.Config;

/// <summary>The outcome of loading a cluster file: a config when there is no error, and every finding.</summary>
public sealed record ClusterConfigLoadResult
{
    /// <summary>The validated config; null exactly when <see cref="Errors"/> is not empty.</summary>
    public ClusterConfig? Config { get; init; }

    /// <summary>Errors and warnings, ordered by position in the file.</summary>
    public required IReadOnlyList<ValidationError> Diagnostics { get; init; }

    public IReadOnlyList<ValidationError> Errors => Diagnostics.Where(d => d.Severity == ValidationSeverity.Error).ToArray();

    public IReadOnlyList<ValidationError> Warnings => Diagnostics.Where(d => d.Severity == ValidationSeverity.Warning).ToArray();

    public bool Succeeded => Config is not null;
}
