namespace Bootstrap.Core.Etcd;

/// <summary>The one membership change a run makes (or why it makes none, or refuses), with the reason in words.</summary>
internal sealed record EtcdMembershipDecision
{
    public required EtcdMembershipAction Action { get; init; }

    /// <summary>Why: the refusal for <see cref="EtcdMembershipAction.Refuse"/>, else what was found.</summary>
    public required string Reason { get; init; }

    /// <summary>The host of the file that joins (<see cref="EtcdMembershipAction.Add"/>, <see cref="EtcdMembershipAction.Promote"/>, <see cref="EtcdMembershipAction.Replace"/>).</summary>
    public string? Host { get; init; }

    /// <summary>The member removed (<see cref="EtcdMembershipAction.Remove"/>, <see cref="EtcdMembershipAction.Replace"/>) or promoted (<see cref="EtcdMembershipAction.Promote"/>).</summary>
    public EtcdMember? Member { get; init; }

    /// <summary>The member leaving leads: leadership moves to a healthy member first.</summary>
    public bool MoveLeaderFirst { get; init; }

    /// <summary>The joining host holds data of an earlier membership: it is moved aside (never deleted) before the host joins.</summary>
    public bool MoveDataAside { get; init; }

    /// <summary>Whether <paramref name="host"/> joins the cluster in this run (its etcd starts with the current members, then is promoted).</summary>
    public bool Joins(string host) =>
        Action is EtcdMembershipAction.Add or EtcdMembershipAction.Promote or EtcdMembershipAction.Replace && string.Equals(Host, host, StringComparison.Ordinal);
}
