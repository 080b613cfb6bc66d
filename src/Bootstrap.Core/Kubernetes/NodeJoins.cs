using System.Collections.Concurrent;

namespace Bootstrap.Core.Kubernetes;

/// <summary>The nodes that joined in one run, each with the id of the bootstrap token it joined with (for the serving-CSR phase).</summary>
internal sealed class NodeJoins
{
    private readonly ConcurrentDictionary<string, string> _joined = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Snapshot => new Dictionary<string, string>(_joined, StringComparer.Ordinal);

    public void Add(string node, string tokenId) => _joined[node] = tokenId;
}
