namespace Bootstrap.Core.Etcd;

/// <summary>What the cluster file asks of etcd's membership in this run: at most one change.</summary>
internal enum EtcdMembershipAction
{
    /// <summary>The members are those of the file (or no member answers and no host needs adding): nothing to change.</summary>
    None,

    /// <summary>No member holds data: the file's members start together as a new cluster.</summary>
    NewCluster,

    /// <summary>A host of the file is not a member: it is added as a learner, started, then promoted.</summary>
    Add,

    /// <summary>A host of the file is a learner (an addition under way): it is started and promoted.</summary>
    Promote,

    /// <summary>A member has no host in the file: it is removed (leadership moved first when it leads).</summary>
    Remove,

    /// <summary>A member lost its data (or is replaced on request): removed, then added again as a learner and promoted.</summary>
    Replace,

    /// <summary>The change is not safe now (quorum, health, several changes at once); nothing is changed.</summary>
    Refuse,
}
