using Bootstrap.Core.Phases.Etcd;
using Bootstrap.Core.Phases.Identity;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases;

/// <summary>The etcd phases: init's <c>etcd</c> group, and <c>bootstrap etcd replace-member</c>'s run of the same phases.</summary>
public static class EtcdWorkflow
{
    /// <summary>init's <c>etcd</c> group: membership first (one change at a time), then the members, their health, the backups.</summary>
    public static PhaseGroup Group() =>
        new("etcd", "A stacked or external etcd cluster with mutual TLS; its members follow the cluster file one change at a time",
            [new EtcdMembershipPhase(), new EtcdMemberPhase(), new EtcdHealthPhase(), new EtcdBackupPhase()]);

    /// <summary>
    /// <c>bootstrap etcd replace-member NAME</c>: the identity guard and the etcd phases, with <paramref name="member"/>
    /// removed and added again (its data moved aside) whatever its state, when the others are healthy.
    /// </summary>
    public static PhaseTree ReplaceMember(string member)
    {
        ArgumentException.ThrowIfNullOrEmpty(member);
        return new PhaseTree(
            "etcd replace-member",
            [
                new IdentityPhase(),
                new PhaseGroup("etcd", $"Replace etcd member {member}", [new EtcdMembershipPhase(member), new EtcdMemberPhase(member), new EtcdHealthPhase()]),
            ]);
    }
}
