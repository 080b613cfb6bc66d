using System.Text;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// One difference between what a target is and what a phase wants it to be: the unit of a plan. A dry run
/// reports it; a run applies it (<see cref="ApplyAsync"/>), which only the runner can do, and never in a dry
/// run. Texts are redacted by the runner before anyone sees them.
/// </summary>
public sealed record Change
{
    /// <summary>The host the change is for, or <see cref="PhaseTarget.ClusterName"/> / <see cref="PhaseTarget.WorkstationName"/>.</summary>
    public required string Host { get; init; }

    public required ChangeKind Kind { get; init; }

    /// <summary>What changes: a path, a unit, an API object (<c>ConfigMap kube-system/kubeadm-config</c>), a state file.</summary>
    public required string Target { get; init; }

    /// <summary>What it is now (e.g. <c>sha256:…</c>, <c>0644 root:root</c>, <c>inactive</c>); null when it does not exist.</summary>
    public string? From { get; init; }

    /// <summary>What it will be; null for a removal.</summary>
    public string? To { get; init; }

    /// <summary>Why, in words (<c>kube-apiserver started before /etc/kubernetes/pki/apiserver.crt changed</c>).</summary>
    public string? Reason { get; init; }

    /// <summary>
    /// Whether the change may be applied at the same time as the changes next to it in its plan that may too: it neither
    /// needs nor affects what they do (files written to different paths, pods evicted from one node). The runner applies such a run of changes side
    /// by side, a few at a time (<see cref="WorkflowRunner.SideBySideLimit"/>), and reports them in the plan's order.
    /// </summary>
    public bool SideBySide { get; init; }

    /// <summary>
    /// Whether a run of side-by-side changes ends before this one: it waits for every change before it in its plan, and the
    /// side-by-side changes after it join it (a host's binaries go in place together, after all of them are staged).
    /// </summary>
    public bool BeginsRun { get; init; }

    /// <summary>
    /// The batch that makes this change together with the others of its run that name it (<see cref="IChangeBatch"/>); null:
    /// made on its own, by <see cref="Apply"/>.
    /// </summary>
    internal IChangeBatch? Together { get; init; }

    /// <summary>Makes the change; returns extra report lines (e.g. the id of a token it made). Null for changes applied by another (none today).</summary>
    internal Func<ApplyContext, CancellationToken, Task<IReadOnlyList<string>>>? Apply { get; init; }

    /// <summary>The report line: "would create /etc/…" in a dry run, "created /etc/…" after the run.</summary>
    public string Describe(bool dryRun)
    {
        var (wouldVerb, verb) = Kind switch
        {
            ChangeKind.FileCreate => ("would create", "created"),
            ChangeKind.FileReplace => ("would replace", "replaced"),
            ChangeKind.FileMetadata => ("would fix mode/owner of", "fixed mode/owner of"),
            ChangeKind.FileRemove => ("would remove", "removed"),
            ChangeKind.DirectoryCreate => ("would set", "set"),
            ChangeKind.UserCreate => ("would create the system user", "created the system user"),
            ChangeKind.DaemonReload => ("would reload", "reloaded"),
            ChangeKind.UnitEnable => ("would enable", "enabled"),
            ChangeKind.UnitDisable => ("would disable", "disabled"),
            ChangeKind.UnitStart => ("would start", "started"),
            ChangeKind.UnitRestart => ("would restart", "restarted"),
            ChangeKind.UnitStop => ("would stop", "stopped"),
            ChangeKind.StateCreate => ("would create", "created"),
            ChangeKind.StateReissue => ("would reissue", "reissued"),
            ChangeKind.StateWrite => ("would rewrite", "rewrote"),
            ChangeKind.ApiCreate => ("would create", "created"),
            ChangeKind.ApiUpdate => ("would update", "updated"),
            ChangeKind.ApiDelete => ("would delete", "deleted"),
            ChangeKind.CsrApprove => ("would approve", "approved"),
            ChangeKind.HostCleanup => ("would clean up", "cleaned up"),
            ChangeKind.EtcdMemberAdd => ("would add", "added"),
            ChangeKind.EtcdMemberPromote => ("would promote", "promoted"),
            ChangeKind.EtcdMemberRemove => ("would remove", "removed"),
            ChangeKind.EtcdLeaderMove => ("would move etcd leadership from", "moved etcd leadership from"),
            ChangeKind.CsrDeny => ("would deny", "denied"),
            ChangeKind.SysctlApply => ("would apply the kernel settings of", "applied the kernel settings of"),
            ChangeKind.ImageImport => ("would import", "imported"),
            ChangeKind.RouteDelete => ("would delete the route", "deleted the route"),
            ChangeKind.RuleDelete => ("would delete the iptables rule", "deleted the iptables rule"),
            ChangeKind.AddressDelete => ("would delete the address", "deleted the address"),
            _ => ("would join", "joined"),
        };
        var text = new StringBuilder(dryRun ? wouldVerb : verb).Append(' ').Append(Target);
        if (Kind is ChangeKind.DirectoryCreate or ChangeKind.EtcdLeaderMove && To is not null)
        {
            text.Append(" to ").Append(To);
        }

        if (Kind is ChangeKind.EtcdMemberAdd or ChangeKind.EtcdMemberPromote && To is not null)
        {
            text.Append(Kind == ChangeKind.EtcdMemberAdd ? " as a " : " to a ").Append(To);
        }

        if (Kind is ChangeKind.StateCreate or ChangeKind.StateReissue or ChangeKind.StateWrite)
        {
            text.Append(" in the cluster state");
        }

        if (Reason is not null)
        {
            text.Append(" (").Append(Reason).Append(')');
        }

        return text.ToString();
    }

    /// <summary>The JSON name of <see cref="Kind"/>: <c>file-create</c>, <c>unit-restart</c> …</summary>
    public string KindName => KebabCase(Kind.ToString());

    private static string KebabCase(string name)
    {
        var text = new StringBuilder();
        foreach (var c in name)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append('-');
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }
}
