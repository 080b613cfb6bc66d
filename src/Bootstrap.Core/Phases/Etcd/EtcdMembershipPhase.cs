using System.Net;
using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Etcd;
using Bootstrap.Core.Install;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Etcd;

/// <summary>
/// <c>etcd/membership</c>: makes etcd's members those of the cluster file, one change per run, decided by
/// <see cref="EtcdMembershipPolicy"/> from one reading of etcd (unsafe changes are refused before any change). A new
/// host is added as a learner here (<c>etcd/member</c> then starts it and promotes it); a member without a host in
/// the file is removed (leadership moved first when it leads), and its host — reached when it still answers — has its
/// etcd stopped and disabled and its data removed; a member that lost its data is removed and added again. The etcd
/// commands run on a healthy member (the coordinator), so the workstation never needs to reach port 2379. The change
/// appears under the host it is about; a removal under the coordinator.
/// </summary>
/// <param name="replace">A member to replace whatever its state (<c>bootstrap etcd replace-member</c>); null in init.</param>
internal sealed class EtcdMembershipPhase(string? replace = null) : ILeafPhase
{
    private const string DataPurpose = "before-join";

    public string Name => "membership";

    public string Description => "Make etcd's members those of the cluster file, one change at a time: add a host as a learner, remove a member, replace one that lost its data (unsafe changes refused)";

    public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return PhaseTarget.Of(config.EtcdMembers);
    }

    public async Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(target);
        var config = context.Config;
        var observation = await context.Etcd.ObserveAsync(context, this, cancellationToken).ConfigureAwait(false);
        var decision = observation.Decide(replace);

        // The decision is the cluster's: the coordinator (else the first member) reports it, or refuses; the host a change is about carries it.
        var lead = observation.Coordinator ?? config.EtcdMembers[0].Name;
        var isLead = target.Name == lead;
        var coordinator = observation.Coordinator is { } name ? config.EtcdMembers.Single(h => h.Name == name) : null;
        switch (decision.Action)
        {
            case EtcdMembershipAction.Refuse:
                return isLead ? TargetPlan.Refuse(decision.Reason) : TargetPlan.Nothing();
            case EtcdMembershipAction.Add when target.Name == decision.Host:
                return TargetPlan.Of(await JoinAsync(context, target.RequiredHost, coordinator!, decision, null, cancellationToken).ConfigureAwait(false), decision.Reason);
            case EtcdMembershipAction.Replace when target.Name == decision.Host:
                return TargetPlan.Of(await JoinAsync(context, target.RequiredHost, coordinator!, decision, observation.Cluster, cancellationToken).ConfigureAwait(false), decision.Reason);
            case EtcdMembershipAction.Remove when isLead:
                var (changes, notes) = await RemovalAsync(context, coordinator!, observation.Cluster!, decision, cancellationToken).ConfigureAwait(false);
                return TargetPlan.Of(changes, [decision.Reason, .. notes]);
            case EtcdMembershipAction.Promote when target.Name == decision.Host:
                return TargetPlan.Nothing(decision.Reason + "; etcd/member starts it and promotes it");
            case EtcdMembershipAction.None or EtcdMembershipAction.NewCluster when isLead:
                return TargetPlan.Nothing(decision.Reason);
            default:
                return TargetPlan.Nothing();
        }
    }

    /// <summary>An addition (or a replacement: the old member removed first); the host's data, if any, moved aside first.</summary>
    private static async Task<IReadOnlyList<Change>> JoinAsync(
        PhaseContext context, HostSpec host, HostSpec coordinator, EtcdMembershipDecision decision, EtcdClusterView? cluster, CancellationToken cancellationToken)
    {
        var changes = new List<Change>();
        var view = context.View(host.Name);
        if (decision.Action == EtcdMembershipAction.Replace)
        {
            var member = decision.Member!;
            if (decision.MoveLeaderFirst && Successor(cluster!, member) is { } successor)
            {
                changes.Add(EtcdMembershipChanges.MoveLeader(host.Name, member, successor, HealthyEndpoints(cluster!, member), coordinator));
            }

            changes.Add(EtcdMembershipChanges.Remove(host.Name, member, coordinator, $"{host.Name} is added again with an empty data directory"));
        }

        var status = await view.UnitAsync("etcd.service", cancellationToken).ConfigureAwait(false);
        if (status.ActiveState is not ("inactive" or "failed" or ""))
        {
            changes.Add(EtcdMembershipChanges.Stop(host.Name, status, decision.Action == EtcdMembershipAction.Replace
                ? "its old member left the cluster; it starts again as a new one"
                : decision.MoveDataAside ? "it runs etcd with data of an earlier membership" : "it runs an etcd that is no member of the cluster"));
        }

        if (decision.MoveDataAside)
        {
            changes.Add(EtcdMembershipChanges.MoveDataAside(host.Name, DataPurpose, "the data of its earlier membership is kept aside, never deleted; the member starts empty and copies the cluster's data"));
        }

        changes.Add(EtcdMembershipChanges.Add(host, coordinator, $"through {coordinator.Name}; etcd/member starts it, then promotes it once it caught up"));
        return changes;
    }

    private async Task<(IReadOnlyList<Change> Changes, IReadOnlyList<string> Notes)> RemovalAsync(
        PhaseContext context, HostSpec coordinator, EtcdClusterView cluster, EtcdMembershipDecision decision, CancellationToken cancellationToken)
    {
        var member = decision.Member!;
        var changes = new List<Change>();
        if (decision.MoveLeaderFirst && Successor(cluster, member) is { } successor)
        {
            changes.Add(EtcdMembershipChanges.MoveLeader(coordinator.Name, member, successor, HealthyEndpoints(cluster, member), coordinator));
        }

        changes.Add(EtcdMembershipChanges.Remove(coordinator.Name, member, coordinator, $"it has no host in the cluster file (through {coordinator.Name})"));
        var (cleanup, notes) = await CleanupAsync(context, member, cancellationToken).ConfigureAwait(false);
        return ([.. changes, .. cleanup], notes);
    }

    /// <summary>
    /// After the member left: its host's etcd stopped and disabled, its data removed — when the host answers and is
    /// the member's (the same etcd CA as the state's, a unit naming the member); else only a note saying what to do.
    /// </summary>
    private static async Task<(IReadOnlyList<Change> Changes, IReadOnlyList<string> Notes)> CleanupAsync(PhaseContext context, EtcdMember member, CancellationToken cancellationToken)
    {
        var byHand = $"stop and disable etcd on it (`systemctl disable --now etcd`) and remove {KubeadmLayout.EtcdDataDir} by hand if it comes back";
        if (member.PeerUrls.Count == 0 || !Uri.TryCreate(member.PeerUrls[0], UriKind.Absolute, out var url) || !IPAddress.TryParse(url.IdnHost, out var address))
        {
            return ([], [$"{member.Label}'s host is unknown (peer URL {string.Join(",", member.PeerUrls)}): {byHand}"]);
        }

        var config = context.Config;
        HostView view;
        if (config.Hosts.FirstOrDefault(h => h.Address.Equals(address)) is { } inFile && context.Host(inFile.Name) is not null)
        {
            view = context.View(inFile.Name);
        }
        else
        {
            var outside = new HostSpec { Name = member.Name.Length > 0 ? member.Name : "member-" + member.HexId, Address = address, Roles = [HostRole.Etcd], Ssh = config.Ssh };
            var (reached, error) = await context.OutsideAsync(outside, cancellationToken).ConfigureAwait(false);
            if (reached is null)
            {
                return ([], [$"{outside.Name} ({address}) is not reachable ({error}): after it left the cluster its etcd stops by itself; {byHand}"]);
            }

            view = reached;
        }

        if (await NotTheMemberAsync(context, view, member, cancellationToken).ConfigureAwait(false) is { } why)
        {
            return ([], [$"{view.Name}: left alone: {why}"]);
        }

        var changes = new List<Change>();
        var status = await view.UnitAsync("etcd.service", cancellationToken).ConfigureAwait(false);
        if (status.ActiveState is not ("inactive" or "failed" or ""))
        {
            changes.Add(EtcdMembershipChanges.Stop(view.Name, status, $"its member {member.Label} left the cluster"));
        }

        if (status.Enabled)
        {
            changes.Add(EtcdMembershipChanges.Disable(view.Name, status));
        }

        var data = await view.QueryAsync(new RemoteCommand(["test", "-e", KubeadmLayout.EtcdDataDir], sudo: true), cancellationToken).ConfigureAwait(false);
        if (data.Succeeded)
        {
            changes.Add(EtcdMembershipChanges.RemoveData(view.Name, member.Label));
        }

        return (changes, []);
    }

    /// <summary>Why the host's etcd is not the member's (another CA, a unit for another name), or null.</summary>
    private static async Task<string?> NotTheMemberAsync(PhaseContext context, HostView view, EtcdMember member, CancellationToken cancellationToken)
    {
        var material = await context.Material.GetAsync(context, cancellationToken).ConfigureAwait(false);
        var ca = await view.ReadAsync(KubeadmLayout.EtcdCaCert, cancellationToken).ConfigureAwait(false);
        if (ca is not null && !ca.AsSpan().SequenceEqual(material.StateFile("pki/etcd/ca.crt")))
        {
            return $"its {KubeadmLayout.EtcdCaCert} is not this cluster's etcd CA";
        }

        // A small-file read: a device in the unit's place is refused, never read (RemoteFileRead).
        var unit = await view.ReadAsync(InstallFiles.UnitPath("etcd"), cancellationToken).ConfigureAwait(false);
        return unit is not null && member.Name.Length > 0 && !System.Text.Encoding.UTF8.GetString(unit).Contains($"--name={member.Name}", StringComparison.Ordinal)
            ? $"its etcd unit is not member {member.Name}'s"
            : null;
    }

    /// <summary>A healthy voting member other than <paramref name="leaving"/> to lead.</summary>
    private static EtcdMember? Successor(EtcdClusterView cluster, EtcdMember leaving) =>
        cluster.Voting.FirstOrDefault(m => m.Id != leaving.Id && cluster.IsHealthy(m));

    /// <summary>The client URLs of the healthy voting members, the leaving leader's included (etcdctl must reach the leader).</summary>
    private static IReadOnlyList<string> HealthyEndpoints(EtcdClusterView cluster, EtcdMember leader) =>
        [.. cluster.Voting.Where(m => m.Id == leader.Id || cluster.IsHealthy(m)).Where(m => m.ClientUrls.Count > 0).Select(m => m.ClientUrls[0])];
}
