using System.Globalization;

namespace Bootstrap.Core.Etcd;

/// <summary>One member as <c>etcdctl member list</c> reports it.</summary>
/// <param name="Id">etcd's member id (a uint64; etcdctl and the logs show it in hex, see <see cref="HexId"/>).</param>
/// <param name="Name">Empty for a member added but never started.</param>
/// <param name="ClientUrls">Empty until the member has started and published them.</param>
internal sealed record EtcdMember(ulong Id, string Name, IReadOnlyList<string> PeerUrls, IReadOnlyList<string> ClientUrls, bool IsLearner)
{
    /// <summary>The id as etcdctl prints it and as its commands take it (<c>member remove 8e9e05c52164694d</c>).</summary>
    public string HexId => Id.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>The member has run and served: it published its client URLs (a member of a new cluster that never started has a name but none).</summary>
    public bool Started => ClientUrls.Count > 0;

    /// <summary>Its name, or for a member that never started, its id: how messages call it.</summary>
    public string Label => Name.Length > 0 ? Name : $"member {HexId}";

    public bool HasPeerUrl(string url) => PeerUrls.Contains(url, StringComparer.Ordinal);
}
