using System.Globalization;
using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Etcd;
using Bootstrap.Core.Install;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Etcd;

/// <summary>
/// The changes of a membership change, each one etcdctl call (on the coordinator: a healthy member) or one host
/// command. They are planned by <c>etcd/membership</c> and <c>etcd/member</c>; etcd itself checks each again when it
/// is made (a removal needs a quorum, a promotion a learner in sync).
/// </summary>
internal static class EtcdMembershipChanges
{
    /// <summary>How long a learner may take to catch up with the leader before the promotion gives up.</summary>
    public static readonly TimeSpan PromoteTimeout = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan PromotePoll = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(30);

    /// <summary><c>member add NAME --learner</c> of <paramref name="joining"/>, through <paramref name="coordinator"/>.</summary>
    public static Change Add(HostSpec joining, HostSpec coordinator, string reason) => new()
    {
        Host = joining.Name,
        Kind = ChangeKind.EtcdMemberAdd,
        Target = $"etcd member {joining.Name} ({EtcdClient.PeerUrl(joining)})",
        To = "learner",
        Reason = reason,
        Apply = async (apply, ct) =>
        {
            var client = Client(apply, coordinator);
            var added = await WhileSettlingAsync(apply, () => client.AddLearnerAsync(joining.Name, EtcdClient.PeerUrl(joining), ct), ct).ConfigureAwait(false);
            return [$"{joining.Name} is etcd member {added.HexId} (a learner until it caught up), added through {coordinator.Name}"];
        },
    };

    /// <summary><c>member remove ID</c>, retried while etcd says the cluster is still settling.</summary>
    public static Task RemoveAsync(ApplyContext apply, EtcdClient client, ulong id, CancellationToken cancellationToken) =>
        WhileSettlingAsync(apply, async () =>
        {
            await client.RemoveAsync(id, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary><c>member remove ID</c> of <paramref name="member"/>, through <paramref name="coordinator"/>.</summary>
    public static Change Remove(string host, EtcdMember member, HostSpec coordinator, string reason) => new()
    {
        Host = host,
        Kind = ChangeKind.EtcdMemberRemove,
        Target = $"etcd member {member.Label} ({member.HexId})",
        From = member.IsLearner ? "learner" : "voting member",
        Reason = reason,
        Apply = async (apply, ct) =>
        {
            await RemoveAsync(apply, Client(apply, coordinator), member.Id, ct).ConfigureAwait(false);
            return [];
        },
    };

    /// <summary><c>move-leader</c> from <paramref name="leader"/> to <paramref name="successor"/>, sent to every healthy voting member.</summary>
    public static Change MoveLeader(string host, EtcdMember leader, EtcdMember successor, IReadOnlyList<string> endpoints, HostSpec coordinator) => new()
    {
        Host = host,
        Kind = ChangeKind.EtcdLeaderMove,
        Target = leader.Label,
        From = leader.HexId,
        To = successor.Label,
        Reason = $"{leader.Label} leads and is leaving",
        Apply = async (apply, ct) =>
        {
            await Client(apply, coordinator).MoveLeaderAsync(successor.Id, endpoints, ct).ConfigureAwait(false);
            return [];
        },
    };

    /// <summary>Stops etcd on <paramref name="host"/> (before its data moves or after its member left).</summary>
    public static Change Stop(string host, ServiceStatus status, string reason) => new()
    {
        Host = host,
        Kind = ChangeKind.UnitStop,
        Target = "etcd.service",
        From = status.ActiveState,
        To = "inactive",
        Reason = reason,
        Apply = async (apply, ct) =>
        {
            await apply.Host(host).RunCheckedAsync(new RemoteCommand(["systemctl", "stop", "etcd.service"], sudo: true), apply.Redactor, ct).ConfigureAwait(false);
            return [];
        },
    };

    /// <summary>Disables etcd on a host whose member left, so that a reboot does not start it again.</summary>
    public static Change Disable(string host, ServiceStatus status) => new()
    {
        Host = host,
        Kind = ChangeKind.UnitDisable,
        Target = "etcd.service",
        From = status.UnitFileState,
        To = "disabled",
        Apply = async (apply, ct) =>
        {
            await apply.Host(host).RunCheckedAsync(new RemoteCommand(["systemctl", "disable", "--quiet", "etcd.service"], sudo: true), apply.Redactor, ct).ConfigureAwait(false);
            return [];
        },
    };

    /// <summary>Moves the data directory of <paramref name="host"/> aside (renamed with the time, never deleted).</summary>
    public static Change MoveDataAside(string host, string purpose, string reason) => new()
    {
        Host = host,
        Kind = ChangeKind.FileRemove,
        Target = KubeadmLayout.EtcdDataDir,
        From = "directory",
        To = AsidePattern(purpose),
        Reason = reason,
        Apply = async (apply, ct) =>
        {
            var aside = EtcdDataDirectory.Aside(purpose, apply.Time.GetUtcNow());
            await apply.Host(host).RunCheckedAsync(new RemoteCommand(["mv", "-T", "--", KubeadmLayout.EtcdDataDir, aside], sudo: true), apply.Redactor, ct).ConfigureAwait(false);
            return [$"{KubeadmLayout.EtcdDataDir} is now {aside}"];
        },
    };

    /// <summary>Removes the data directory of a host whose member left the cluster.</summary>
    public static Change RemoveData(string host, string member) => new()
    {
        Host = host,
        Kind = ChangeKind.FileRemove,
        Target = KubeadmLayout.EtcdDataDir,
        From = "directory",
        Reason = $"etcd member {member} left the cluster; its data is of no use to it",
        Apply = async (apply, ct) =>
        {
            await apply.Host(host).RunCheckedAsync(new RemoteCommand(["rm", "-rf", "--one-file-system", "--", KubeadmLayout.EtcdDataDir], sudo: true), apply.Redactor, ct)
                .ConfigureAwait(false);
            return [];
        },
    };

    /// <summary>
    /// <c>member promote</c> of <paramref name="joining"/> once it caught up with the leader (etcd refuses before): polled
    /// through <paramref name="coordinator"/>; its id is looked up when applied (in a plan it may not be a member yet).
    /// </summary>
    public static Change Promote(HostSpec joining, HostSpec coordinator) => new()
    {
        Host = joining.Name,
        Kind = ChangeKind.EtcdMemberPromote,
        Target = $"etcd member {joining.Name}",
        From = "learner",
        To = "voting member",
        Reason = "once it caught up with the leader",
        Apply = async (apply, ct) =>
        {
            var client = Client(apply, coordinator);
            using var wait = apply.Waiting.Begin();
            var started = apply.Time.GetTimestamp();
            while (true)
            {
                var member = (await client.MembersAsync(ct).ConfigureAwait(false)).FirstOrDefault(m => m.HasPeerUrl(EtcdClient.PeerUrl(joining)))
                    ?? throw new PhaseFailedException($"{joining.Name} is not an etcd member any more (someone removed it?); run init again to add it");
                if (!member.IsLearner || await client.PromoteAsync(member.Id, ct).ConfigureAwait(false))
                {
                    var took = apply.Time.GetElapsedTime(started);
                    return [string.Create(CultureInfo.InvariantCulture, $"{joining.Name} ({member.HexId}) votes; it caught up with the leader in {took.TotalSeconds:0} s")];
                }

                if (apply.Time.GetElapsedTime(started) > PromoteTimeout)
                {
                    throw new PhaseFailedException(
                        $"{joining.Name} did not catch up with the etcd leader within {PromoteTimeout.TotalMinutes:0} minutes and stays a learner (it does not vote, the quorum is unchanged); "
                        + $"see `journalctl -u etcd` on {joining.Name}, then run init again to promote it");
                }

                await wait.DelayAsync(PromotePoll, ct).ConfigureAwait(false);
            }
        },
    };

    private static string AsidePattern(string purpose) => $"{KubeadmLayout.EtcdDataDir}.{purpose}-<UTC time>";

    /// <summary>
    /// etcd 3.4 refuses a membership change until every voting member has been connected for 5 s ("unhealthy cluster",
    /// its strict reconfiguration check): right after a member restarted that passes by itself, so it is retried a while.
    /// Every membership change goes through here (init's membership phases and reset's etcd-member alike).
    /// </summary>
    public static async Task<T> WhileSettlingAsync<T>(ApplyContext apply, Func<Task<T>> change, CancellationToken cancellationToken)
    {
        var started = apply.Time.GetTimestamp();
        Wait? wait = null; // from etcd's first refusal: the change itself is not a wait
        try
        {
            while (true)
            {
                try
                {
                    return await change().ConfigureAwait(false);
                }
                catch (EtcdException e) when (e.Message.Contains("unhealthy cluster", StringComparison.Ordinal) && apply.Time.GetElapsedTime(started) < SettleTimeout)
                {
                    wait ??= apply.Waiting.Begin();
                    await wait.DelayAsync(PromotePoll, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            wait?.Dispose();
        }
    }

    private static EtcdClient Client(ApplyContext apply, HostSpec coordinator) => EtcdClient.OnMember(apply.Host(coordinator.Name), coordinator, apply.Redactor);
}
