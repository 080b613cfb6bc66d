namespace Bootstrap.Core.Workflow;

/// <summary>What kind of change a <see cref="Change"/> is; its JSON name is the kebab-case form (<c>file-create</c>).</summary>
public enum ChangeKind
{
    /// <summary>A file that does not exist is written.</summary>
    FileCreate,

    /// <summary>A file whose content differs is replaced.</summary>
    FileReplace,

    /// <summary>A file with the right content gets its mode or owner fixed.</summary>
    FileMetadata,

    /// <summary>A file or directory that must not exist is removed.</summary>
    FileRemove,

    /// <summary>A directory is created or given its mode and owner.</summary>
    DirectoryCreate,

    /// <summary>A system user is created.</summary>
    UserCreate,

    /// <summary>systemd reloads its unit files (a unit file changed).</summary>
    DaemonReload,

    /// <summary>A unit is enabled (started at boot).</summary>
    UnitEnable,

    /// <summary>A unit is disabled.</summary>
    UnitDisable,

    /// <summary>A stopped unit is started.</summary>
    UnitStart,

    /// <summary>A running unit is restarted on changed inputs.</summary>
    UnitRestart,

    /// <summary>A running unit is stopped.</summary>
    UnitStop,

    /// <summary>An entry of the cluster state on the workstation (a CA, certificate, kubeconfig or secret) is created.</summary>
    StateCreate,

    /// <summary>A certificate or kubeconfig of the cluster state is re-issued with a new key (missing, stale, expiring or no longer matching).</summary>
    StateReissue,

    /// <summary>A file of the cluster state is rewritten (mode, or the record of the request).</summary>
    StateWrite,

    /// <summary>An API object is created.</summary>
    ApiCreate,

    /// <summary>An API object is replaced or patched.</summary>
    ApiUpdate,

    /// <summary>An API object is deleted.</summary>
    ApiDelete,

    /// <summary>A certificate signing request is approved.</summary>
    CsrApprove,

    /// <summary>A certificate signing request is denied (a node client request a Bootstrap token may not make).</summary>
    CsrDeny,

    /// <summary>A host joins as a node with a new bootstrap token (TLS bootstrap).</summary>
    NodeJoin,

    /// <summary>Something Bootstrap set up outside files is taken down on a host (kube-proxy's rules, a network interface, mounts).</summary>
    HostCleanup,

    /// <summary>A host is added to etcd as a learner (<c>etcdctl member add --learner</c>, on a healthy member).</summary>
    EtcdMemberAdd,

    /// <summary>A learner that caught up with the leader becomes a voting member (<c>etcdctl member promote</c>).</summary>
    EtcdMemberPromote,

    /// <summary>A member leaves etcd (<c>etcdctl member remove</c>, on a healthy member).</summary>
    EtcdMemberRemove,

    /// <summary>etcd's leadership moves to another member (<c>etcdctl move-leader</c>) before the leader leaves.</summary>
    EtcdLeaderMove,

    /// <summary>A sysctl.d file is applied to the running kernel (<c>sysctl -p</c>).</summary>
    SysctlApply,

    /// <summary>An image archive is imported into containerd (its images are missing or differ).</summary>
    ImageImport,

    /// <summary>A route Bootstrap made is deleted (its pod range belongs to no node any more, or the pod network is the admin's).</summary>
    RouteDelete,

    /// <summary>A firewall rule Bootstrap made is deleted (the pod network is the admin's).</summary>
    RuleDelete,

    /// <summary>An address is deleted from a network interface (a bridge still holding a pod range the node no longer has).</summary>
    AddressDelete,
}
