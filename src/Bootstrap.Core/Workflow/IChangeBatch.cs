namespace Bootstrap.Core.Workflow;

/// <summary>
/// Changes that are cheaper made together than one by one (a host's small files: one command instead of one each). The runner
/// hands a batch the changes that name it (<see cref="Change.Together"/>) and fall in one run of side-by-side changes, and
/// only those; a change alone in its run is applied by its own <see cref="Change.Apply"/>, which must do the same.
/// </summary>
internal interface IChangeBatch
{
    /// <summary>
    /// Applies <paramref name="changes"/>, calling <paramref name="applied"/> with a change's index and report lines once it is
    /// made; throws the first failure (in their order) once every change that could be made is.
    /// </summary>
    Task ApplyAsync(IReadOnlyList<Change> changes, ApplyContext apply, Action<int, IReadOnlyList<string>> applied, CancellationToken cancellationToken);
}
