namespace Bootstrap.Core.Pki;

/// <summary>The outcome of a generation or renewal: one entry per catalog item, and the files written (relative to the state directory).</summary>
internal sealed record PkiChanges(IReadOnlyList<PkiChange> Items, IReadOnlyList<string> WrittenFiles)
{
    public bool Changed => WrittenFiles.Count > 0;

    public PkiChange this[string name] => Items.Single(i => i.Name == name);
}
