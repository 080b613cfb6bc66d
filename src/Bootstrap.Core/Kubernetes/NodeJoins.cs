using System.Collections.Concurrent;

namespace Bootstrap.Core.Kubernetes;

/// <summary>The nodes that joined in one run, each with the id of the bootstrap token it joined with (for the serving-CSR phase).</summary>
internal sealed class NodeJoins
{
    private readonly ConcurrentDictionary<string, string> _joined = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _serving = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Snapshot => new Dictionary<string, string>(_joined, StringComparer.Ordinal);

    /// <summary>The nodes that joined in this run and have no serving certificate yet: their kubelets are about to ask for one.</summary>
    public IReadOnlyDictionary<string, string> AskingForServing => _joined.Where(j => !_serving.ContainsKey(j.Key)).ToDictionary(StringComparer.Ordinal);

    /// <param name="holdsServingCertificate">Whether its kubelet kept a serving certificate valid now (a node joining again), and so asks for none.</param>
    public void Add(string node, string tokenId, bool holdsServingCertificate = false)
    {
        _joined[node] = tokenId;
        if (holdsServingCertificate)
        {
            _serving[node] = true;
        }
    }
}
