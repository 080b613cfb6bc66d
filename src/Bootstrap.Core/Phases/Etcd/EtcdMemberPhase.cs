using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Etcd;
using Bootstrap.Core.Install;
using Bootstrap.Core.Phases.ControlPlane;
using Bootstrap.Core.Phases.Install;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Etcd;

/// <summary>
/// <c>etcd/member</c>: an etcd member as a systemd unit with its own user and data directory. Members of a new
/// cluster start together without waiting (they need each other for quorum; <c>etcd/health</c> waits); a running
/// member whose files change restarts in its turn, healthy before the next. A host that joins a running cluster
/// (added as a learner by <c>etcd/membership</c>) starts with the members it joins and is promoted once it caught up
/// with the leader. The initial-cluster flags of the others stay as their units have them
/// (<see cref="EtcdInitialCluster"/>), so a membership change never restarts them. The leader's turn in a roll comes last.
/// </summary>
/// <param name="replace">The member <c>bootstrap etcd replace-member</c> replaces; null in init.</param>
internal sealed class EtcdMemberPhase(string? replace = null)
    : ServicePhase("member", "Run an etcd member as a systemd unit (members of a new cluster start together; a joining member starts as a learner and is promoted)")
{
    private readonly InstallFiles _files = new(new Rendering.TemplateRenderer());

    protected override bool WaitAfterStart => false;

    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.EtcdMembers;

    protected override async Task<TargetPlan> PlanAsync(HostPlanning host, CancellationToken cancellationToken)
    {
        var context = host.Context;
        var name = host.Host.Name;
        var observation = await context.Etcd.ObserveAsync(context, this, cancellationToken).ConfigureAwait(false);
        var decision = observation.Decide(replace);
        var lead = observation.Coordinator ?? context.Config.EtcdMembers[0].Name;
        if (decision.Action == EtcdMembershipAction.Refuse)
        {
            return name == lead ? TargetPlan.Refuse(decision.Reason) : TargetPlan.Nothing();
        }

        // In a run, etcd/membership made the host a learner before this phase reads etcd; a host still to be added means it did not run.
        if (!context.DryRun && decision.Joins(name) && decision.Action is EtcdMembershipAction.Add or EtcdMembershipAction.Replace)
        {
            return TargetPlan.Refuse($"{name} is not an etcd learner yet: etcd/membership adds it first (run `bootstrap init phase etcd`, or init)");
        }

        var plan = await base.PlanAsync(host, cancellationToken).ConfigureAwait(false);

        // The leader restarts last in a roll (an upgrade, renewed certificates): one election per roll, not one per member.
        plan = plan with { RollOrder = LeadsNow(observation, host.Host) ? 1 : 0 };
        if (!decision.Joins(name))
        {
            return plan;
        }

        var coordinator = context.Config.EtcdMembers.Single(h => h.Name == observation.Coordinator);
        return plan with { Changes = [.. plan.Changes, EtcdMembershipChanges.Promote(host.Host, coordinator)] };
    }

    /// <summary>Whether <paramref name="host"/> holds the member etcd currently names its leader.</summary>
    internal static bool LeadsNow(EtcdObservation observation, HostSpec host) =>
        observation.Cluster is { Leader: not 0 } cluster
        && cluster.Members.Any(m => m.Id == cluster.Leader && m.HasPeerUrl(EtcdClient.PeerUrl(host)));

    protected override IReadOnlyList<ServiceSpec> Services(InstallMaterial material, HostSpec host) => [ServiceCatalog.Etcd(material.Config, host)];

    /// <summary>
    /// kube-apiserver's files, when control-plane/apiserver runs later in this run: the API server this member's restart stops
    /// starts once, on its new files (an upgrade's new binary), as kubeadm upgrades a node's etcd and then its API server.
    /// </summary>
    protected override IReadOnlyList<DesiredFile>? DependentFiles(HostPlanning host, InstallMaterial material, ServiceSpec dependent) =>
        dependent.Unit == ServiceCatalog.ApiServerUnit && host.Context.Runs<ApiServerPhase>() ? _files.ApiServer(material, host.Host) : null;

    protected override async Task<IReadOnlyList<DesiredFile>> FilesAsync(HostPlanning host, InstallMaterial material, CancellationToken cancellationToken)
    {
        var context = host.Context;
        var observation = await context.Etcd.ObserveAsync(context, this, cancellationToken).ConfigureAwait(false);
        return [_files.EtcdUnit(material, host.Host, observation.InitialClusterFor(context.Config, host.Host, observation.Decide(replace)))];
    }

    protected override async Task<IReadOnlyList<Change>> PrepareAsync(HostPlanning host, CancellationToken cancellationToken)
    {
        var changes = new List<Change>();
        if (await HostPreparation.EtcdUserAsync(host.View, cancellationToken).ConfigureAwait(false) is { } user)
        {
            changes.Add(user);
        }

        if (await HostPreparation.DirectoryAsync(host.View, KubeadmLayout.EtcdDataDir, "0700", InstallFiles.EtcdUser, cancellationToken).ConfigureAwait(false) is { } directory)
        {
            changes.Add(directory);
        }

        return changes;
    }
}
