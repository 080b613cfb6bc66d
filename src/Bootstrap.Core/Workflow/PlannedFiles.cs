using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Workflow;

/// <summary>In a dry run, the files of one host that earlier phases would have written, as they would be.</summary>
internal sealed class PlannedFiles
{
    private readonly Dictionary<string, RemoteFileState> _files = new(StringComparer.Ordinal);

    public void Record(string path, RemoteFileState state)
    {
        lock (_files)
        {
            _files[path] = state;
        }
    }

    /// <summary>What was read, with the planned files over it.</summary>
    public IReadOnlyDictionary<string, RemoteFileState?> Over(IReadOnlyDictionary<string, RemoteFileState?> read)
    {
        lock (_files)
        {
            return read.ToDictionary(f => f.Key, f => _files.TryGetValue(f.Key, out var planned) ? planned : f.Value, StringComparer.Ordinal);
        }
    }
}
