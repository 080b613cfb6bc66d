namespace Bootstrap.Core.Pki;

/// <summary>
/// The outcome of a generation or renewal: one entry per catalog item, and the files written (relative
/// to the state directory) — or, for a preview, the files that would be written.
/// </summary>
internal sealed record PkiChanges(IReadOnlyList<PkiChange> Items, IReadOnlyList<string> WrittenFiles)
{
    public bool Changed => WrittenFiles.Count > 0;

    /// <summary>For a preview: each file of <see cref="WrittenFiles"/> with the content and mode it would get, in write order. Empty after a real run.</summary>
    public IReadOnlyList<StateFile> PendingFiles { get; init; } = [];

    /// <summary>For a preview: the content each file of <see cref="WrittenFiles"/> would get, by path.</summary>
    public IReadOnlyDictionary<string, byte[]> Pending => PendingFiles.ToDictionary(f => f.Path, f => f.Content, StringComparer.Ordinal);

    public PkiChange this[string name] => Items.Single(i => i.Name == name);
}
