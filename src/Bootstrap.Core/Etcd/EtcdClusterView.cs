namespace Bootstrap.Core.Etcd;

/// <summary>The cluster as a healthy member sees it: its members, which of them answered a health check, and the leader.</summary>
/// <param name="Healthy">The ids of the members that answered <c>endpoint health</c> (a learner never does).</param>
/// <param name="Leader">The leader's id; 0 when unknown.</param>
internal sealed record EtcdClusterView(IReadOnlyList<EtcdMember> Members, IReadOnlySet<ulong> Healthy, ulong Leader)
{
    public IReadOnlyList<EtcdMember> Voting => [.. Members.Where(m => !m.IsLearner)];

    public bool IsHealthy(EtcdMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return Healthy.Contains(member.Id);
    }

    /// <summary>The member whose peer URLs hold <paramref name="peerUrl"/>, or null.</summary>
    public EtcdMember? WithPeerUrl(string peerUrl) => Members.FirstOrDefault(m => m.HasPeerUrl(peerUrl));
}
