namespace Bootstrap.Core.Tests.Pki;

/// <summary>Every file of a state directory with its bytes and modification time.</summary>
internal sealed class StateSnapshot
{
    private readonly Dictionary<string, (byte[] Content, DateTime Modified)> _files;

    private StateSnapshot(Dictionary<string, (byte[] Content, DateTime Modified)> files) => _files = files;

    public IReadOnlyCollection<string> Files => _files.Keys;

    public static StateSnapshot Take(string root) => new(
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != ".lock")
            .ToDictionary(f => Path.GetRelativePath(root, f), f => (File.ReadAllBytes(f), File.GetLastWriteTimeUtc(f)), StringComparer.Ordinal));

    public byte[] this[string relative] => _files[relative].Content;

    /// <summary>Files added, removed, or whose bytes or modification time differ.</summary>
    public IReadOnlyList<string> ChangedSince(StateSnapshot before) =>
        _files.Keys.Union(before._files.Keys)
            .Where(f => !_files.TryGetValue(f, out var now) || !before._files.TryGetValue(f, out var then)
                || !now.Content.AsSpan().SequenceEqual(then.Content) || now.Modified != then.Modified)
            .Order(StringComparer.Ordinal)
            .ToArray();
}
