namespace Bootstrap.Core.Etcd;

/// <summary>One endpoint's answer to <c>etcdctl endpoint status</c>: which member it is, who leads, how far its raft log is.</summary>
internal sealed record EtcdEndpointStatus
{
    public required string Endpoint { get; init; }

    public required ulong ClusterId { get; init; }

    public required ulong MemberId { get; init; }

    /// <summary>The member id of the leader as this member sees it; 0 when it knows none.</summary>
    public required ulong Leader { get; init; }

    public required string Version { get; init; }

    /// <summary>The size of the backend database file, in bytes.</summary>
    public required long DbSize { get; init; }

    public required long DbSizeInUse { get; init; }

    public required ulong RaftIndex { get; init; }

    public required ulong RaftTerm { get; init; }

    public required ulong RaftAppliedIndex { get; init; }

    /// <summary>The store's revision (the header's).</summary>
    public required long Revision { get; init; }

    public required bool IsLearner { get; init; }

    public bool IsLeader => Leader != 0 && Leader == MemberId;
}
