namespace Bootstrap.Core.Etcd;

/// <summary>What <c>bootstrap etcd status</c> found: every member with its health and status, each host's backups, and what is wrong.</summary>
internal sealed record EtcdStatusReport
{
    public required string Cluster { get; init; }

    /// <summary>The member the list was read through; null when none answered.</summary>
    public string? ReadThrough { get; init; }

    /// <summary>etcd's cluster id (hex), as the members that answered report it.</summary>
    public string? ClusterId { get; init; }

    public IReadOnlyList<EtcdMemberReport> Members { get; init; } = [];

    /// <summary>One entry per etcd host of the file when <c>spec.etcd.backup</c> is set; empty otherwise.</summary>
    public IReadOnlyList<EtcdBackupReport> Backups { get; init; } = [];

    /// <summary>Unreachable hosts, members without a host in the file, hosts that are not members, unhealthy members.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>Every member answered (voting members a health check, learners a status request) and nothing is wrong.</summary>
    public bool Healthy => ReadThrough is not null && Problems.Count == 0;
}

/// <summary>One member: from the member list, its health check and its endpoint status.</summary>
internal sealed record EtcdMemberReport
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>The host of the cluster file it runs on; null when none has its peer URL.</summary>
    public string? Host { get; init; }

    public required IReadOnlyList<string> PeerUrls { get; init; }

    public required IReadOnlyList<string> ClientUrls { get; init; }

    public required bool IsLearner { get; init; }

    public required bool Healthy { get; init; }

    /// <summary>Why the health check failed (etcdctl's words).</summary>
    public string? HealthError { get; init; }

    public bool IsLeader { get; init; }

    /// <summary>null when its endpoint did not answer a status request.</summary>
    public EtcdEndpointStatus? Status { get; init; }
}

/// <summary>The backup timer of one etcd host and the snapshots it keeps.</summary>
internal sealed record EtcdBackupReport
{
    public required string Host { get; init; }

    /// <summary>The timer's state (<c>active</c> when it is scheduled), or why it could not be read.</summary>
    public required string Timer { get; init; }

    public DateTimeOffset? LastRun { get; init; }

    /// <summary>The result of the last run (<c>success</c>, <c>exit-code</c>…); null before the first.</summary>
    public string? LastResult { get; init; }

    public DateTimeOffset? NextRun { get; init; }

    public int Snapshots { get; init; }

    public string? Newest { get; init; }

    public long NewestSize { get; init; }
}
