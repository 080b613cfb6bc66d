using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Etcd;

namespace Bootstrap.Core.Tests.Etcd;

/// <summary>The membership decision, case by case and, for the quorum rules, over every combination of member health.</summary>
public sealed class EtcdMembershipPolicyTests
{
    private static readonly Dictionary<string, (string Address, ulong Id)> Machines = new(StringComparer.Ordinal)
    {
        ["cp1"] = ("192.168.56.21", 0x1001), ["cp2"] = ("192.168.56.22", 0x1002), ["cp3"] = ("192.168.56.23", 0x1003), ["spare"] = ("192.168.56.41", 0x1004),
    };

    [Fact]
    public void Without_data_anywhere_the_files_members_start_as_a_new_cluster()
    {
        var decision = Decide(Hosts("cp1", "cp2", "cp3"), cluster: null);

        Assert.Equal(EtcdMembershipAction.NewCluster, decision.Action);
        Assert.Contains("cp1, cp2 and cp3 start together as a new cluster", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void With_data_everywhere_but_no_member_answering_nothing_is_checked_and_nothing_refused()
    {
        var decision = Decide(Hosts("cp1", "cp2", "cp3"), cluster: null, data: ["cp1", "cp2", "cp3"]);

        Assert.Equal(EtcdMembershipAction.None, decision.Action);
        Assert.Contains("membership not checked", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_cluster_that_did_not_finish_starting_is_not_refused()
    {
        // cp1 started and holds data; cp2 and cp3 have units of the new cluster but never ran: no quorum yet.
        var decision = Decide(Hosts("cp1", "cp2", "cp3"), cluster: null, data: ["cp1"]);

        Assert.Equal(EtcdMembershipAction.None, decision.Action);
    }

    [Fact]
    public void A_host_to_add_when_no_member_answers_is_refused_naming_what_to_do()
    {
        var hosts = Hosts("cp1", "cp2", "cp3", "spare").Select(h => h.Name == "spare" ? h with { Unit = null } : h).ToList();

        var decision = Decide(hosts, cluster: null, data: ["cp1", "cp2", "cp3"]);

        Assert.Equal(EtcdMembershipAction.Refuse, decision.Action);
        Assert.StartsWith("spare cannot join etcd: no member answers a health check, so none can add it (cp1, cp2 and cp3 hold data)", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("bootstrap etcd snapshot restore", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_replacement_with_no_member_answering_is_refused()
    {
        var decision = EtcdMembershipPolicy.Decide(WithData(Hosts("cp1", "cp2", "cp3"), "cp1", "cp2"), null, replace: "cp3");

        Assert.Equal(EtcdMembershipAction.Refuse, decision.Action);
        Assert.StartsWith("cannot replace cp3: no etcd member answers", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_files_members_all_healthy_is_no_change()
    {
        var decision = Decide(All("cp1", "cp2", "cp3"), Cluster(["cp1", "cp2", "cp3"]));

        Assert.Equal(EtcdMembershipAction.None, decision.Action);
        Assert.Equal("the members are those of the cluster file (3 voting, all healthy)", decision.Reason);
    }

    [Fact]
    public void An_unhealthy_member_that_holds_data_is_down_not_lost_and_changes_nothing()
    {
        var decision = Decide(All("cp1", "cp2", "cp3"), Cluster(["cp1", "cp2", "cp3"], healthy: ["cp1", "cp3"]));

        Assert.Equal(EtcdMembershipAction.None, decision.Action);
        Assert.Equal("the members are those of the cluster file (3 voting, cp2 not healthy)", decision.Reason);
    }

    [Fact]
    public void A_new_host_is_added_as_a_learner_its_old_data_moved_aside()
    {
        var fresh = Decide(All("cp1", "cp2", "cp3", "spare", data: ["cp1", "cp2", "cp3"]), Cluster(["cp1", "cp2", "cp3"]));
        var stale = Decide(All("cp1", "cp2", "cp3", "spare"), Cluster(["cp1", "cp2", "cp3"]));

        Assert.Equal((EtcdMembershipAction.Add, "spare", false), (fresh.Action, fresh.Host, fresh.MoveDataAside));
        Assert.True(fresh.Joins("spare"));
        Assert.False(fresh.Joins("cp1"));
        Assert.Equal((EtcdMembershipAction.Add, true), (stale.Action, stale.MoveDataAside));
        Assert.Contains("joins as a learner", fresh.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_learner_added_earlier_is_promoted()
    {
        var decision = Decide(All("cp1", "cp2", "cp3", "spare", data: ["cp1", "cp2", "cp3"]), Cluster(["cp1", "cp2", "cp3", "spare"], learners: ["spare"], unstarted: ["spare"]));

        Assert.Equal((EtcdMembershipAction.Promote, "spare", 0x1004UL), (decision.Action, decision.Host, decision.Member!.Id));
        Assert.True(decision.Joins("spare"));
    }

    [Fact]
    public void A_member_without_a_host_in_the_file_is_removed_leadership_moved_first_when_it_leads()
    {
        var follower = Decide(All("cp1", "cp2", "cp3"), Cluster(["cp1", "cp2", "cp3", "spare"], leader: "cp1"));
        var leading = Decide(All("cp1", "cp2", "cp3"), Cluster(["cp1", "cp2", "cp3", "spare"], leader: "spare"));

        Assert.Equal((EtcdMembershipAction.Remove, "spare", false), (follower.Action, follower.Member!.Name, follower.MoveLeaderFirst));
        Assert.True(leading.MoveLeaderFirst);
        Assert.Contains("leadership moves to a healthy member first", leading.Reason, StringComparison.Ordinal);
        Assert.EndsWith("leaving 3 healthy voting members", follower.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dead_member_without_a_host_in_the_file_is_removed_when_the_others_are_healthy()
    {
        var decision = Decide(All("cp1", "cp2", "cp3"), Cluster(["cp1", "cp2", "cp3", "spare"], healthy: ["cp1", "cp2", "cp3"]));

        Assert.Equal(EtcdMembershipAction.Remove, decision.Action);
    }

    [Fact]
    public void A_removal_that_would_leave_one_of_two_healthy_is_refused()
    {
        var decision = Decide(All("cp1", "cp2"), Cluster(["cp1", "cp2", "cp3"], healthy: ["cp1", "cp3"]));

        Assert.Equal(EtcdMembershipAction.Refuse, decision.Action);
        Assert.StartsWith("removing cp3 would leave 1 of the remaining 2 members healthy (cp2 is not), and a quorum of 2 needs all of them", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_removal_the_cluster_has_no_quorum_to_commit_is_refused()
    {
        // Two voting members, the one leaving is down: the one left is healthy, but a change needs 2 of 2.
        var decision = Decide(All("cp1"), Cluster(["cp1", "cp2"], healthy: ["cp1"]));

        Assert.Equal(EtcdMembershipAction.Refuse, decision.Action);
        Assert.Equal("cannot remove cp2: the change needs a quorum of the 2 voting members (2), and 1 is healthy", decision.Reason);
    }

    [Fact]
    public void A_learner_without_a_host_in_the_file_is_removed_without_moving_leadership()
    {
        var decision = Decide(All("cp1", "cp2", "cp3"), Cluster(["cp1", "cp2", "cp3", "spare"], learners: ["spare"], unstarted: ["spare"], leader: "cp1"));

        Assert.Equal((EtcdMembershipAction.Remove, false), (decision.Action, decision.MoveLeaderFirst));
        Assert.Equal("member 1004", decision.Member!.Label);
    }

    [Fact]
    public void Two_changes_at_once_are_refused_naming_both()
    {
        var decision = Decide(All("cp1", "cp2", "spare", data: ["cp1", "cp2"]), Cluster(["cp1", "cp2", "cp3"]));

        Assert.Equal(EtcdMembershipAction.Refuse, decision.Action);
        Assert.Equal(
            "the cluster file asks for 2 etcd membership changes at once (add spare and remove cp3); etcd changes one member at a time: change the file one host at a time and run init after each",
            decision.Reason);
    }

    [Fact]
    public void A_member_that_lost_its_data_is_replaced_when_the_others_are_healthy()
    {
        var decision = Decide(All("cp1", "cp2", "cp3", data: ["cp1", "cp2"]), Cluster(["cp1", "cp2", "cp3"], healthy: ["cp1", "cp2"], leader: "cp1"));

        Assert.Equal((EtcdMembershipAction.Replace, "cp3", 0x1003UL, false, false), (decision.Action, decision.Host, decision.Member!.Id, decision.MoveDataAside, decision.MoveLeaderFirst));
        Assert.StartsWith("cp3 lost its data (no /var/lib/etcd/member) and is not healthy: member 1003 is removed", decision.Reason, StringComparison.Ordinal);
        Assert.True(decision.Joins("cp3"));
    }

    [Fact]
    public void A_lost_member_is_not_replaced_while_another_is_down_too()
    {
        var decision = Decide(All("cp1", "cp2", "cp3", data: ["cp1", "cp2"]), Cluster(["cp1", "cp2", "cp3"], healthy: ["cp1"]));

        Assert.Equal(EtcdMembershipAction.Refuse, decision.Action);
        Assert.StartsWith("cannot replace cp3: cp2 is not healthy either", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lost_member_of_two_needs_a_restore_not_a_replacement()
    {
        var decision = Decide(All("cp1", "cp2", data: ["cp1"]), Cluster(["cp1", "cp2"], healthy: ["cp1"]));

        Assert.Equal(EtcdMembershipAction.Refuse, decision.Action);
        Assert.Contains("cannot replace cp2: the change needs a quorum of the 2 voting members (2), and 1 is healthy", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("bootstrap etcd snapshot restore", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_member_of_a_new_cluster_that_never_started_is_not_lost()
    {
        var decision = Decide(All("cp1", "cp2", "cp3", data: ["cp1", "cp2"]), Cluster(["cp1", "cp2", "cp3"], healthy: ["cp1", "cp2"], unstarted: ["cp3"]));

        Assert.Equal(EtcdMembershipAction.None, decision.Action);
    }

    [Fact]
    public void A_replacement_on_request_takes_a_healthy_member_its_data_moved_aside_and_leadership_first()
    {
        var decision = EtcdMembershipPolicy.Decide(All("cp1", "cp2", "cp3"), Cluster(["cp1", "cp2", "cp3"], leader: "cp2"), replace: "cp2");

        Assert.Equal((EtcdMembershipAction.Replace, "cp2", true, true), (decision.Action, decision.Host, decision.MoveDataAside, decision.MoveLeaderFirst));
        Assert.StartsWith("cp2 is replaced on request", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_replacement_on_request_of_the_only_member_or_of_no_member_is_refused()
    {
        var only = EtcdMembershipPolicy.Decide(All("cp1"), Cluster(["cp1"]), replace: "cp1");
        var unknown = EtcdMembershipPolicy.Decide(All("cp1", "cp2", "cp3"), Cluster(["cp1", "cp2", "cp3"]), replace: "w1");

        Assert.StartsWith("cp1 is the only voting etcd member", only.Reason, StringComparison.Ordinal);
        Assert.Equal(EtcdMembershipAction.Refuse, unknown.Action);
        Assert.Equal("w1 is not an etcd host of the cluster file", unknown.Reason);
    }

    [Fact]
    public void A_member_whose_address_changed_in_the_file_is_refused()
    {
        var members = Cluster(["cp1", "cp2", "cp3"]);
        var moved = members with { Members = [.. members.Members.Select(m => m.Name == "cp2" ? m with { PeerUrls = ["https://192.168.56.99:2380"] } : m)] };

        var decision = Decide(All("cp1", "cp2", "cp3"), moved);

        Assert.Equal(EtcdMembershipAction.Refuse, decision.Action);
        Assert.StartsWith("etcd member cp2 has peer URL https://192.168.56.99:2380, the cluster file gives it https://192.168.56.22:2380", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 2)]
    [InlineData(4, 3)]
    [InlineData(5, 3)]
    [InlineData(6, 4)]
    [InlineData(7, 4)]
    public void The_quorum_is_a_majority(int members, int quorum) => Assert.Equal(quorum, EtcdMembershipPolicy.Quorum(members));

    [Fact]
    public void Every_health_combination_a_removal_happens_only_when_the_members_left_are_all_healthy()
    {
        string[] all = ["cp1", "cp2", "cp3", "spare"];
        foreach (var healthy in Subsets(all))
        {
            foreach (var leader in healthy.DefaultIfEmpty("none"))
            {
                var decision = Decide(All("cp1", "cp2", "cp3"), Cluster(all, healthy: healthy, leader: leader));
                var remainingHealthy = new[] { "cp1", "cp2", "cp3" }.All(healthy.Contains);
                var label = $"healthy [{string.Join(",", healthy)}], leader {leader}";
                Assert.True((decision.Action == EtcdMembershipAction.Remove) == remainingHealthy, $"{label}: {decision.Action} ({decision.Reason})");
                Assert.True(decision.Action is EtcdMembershipAction.Remove or EtcdMembershipAction.Refuse, label);
                Assert.Equal(decision.Action == EtcdMembershipAction.Remove && leader == "spare", decision.MoveLeaderFirst);
            }
        }
    }

    [Fact]
    public void Every_health_combination_an_addition_happens_only_when_every_voting_member_is_healthy()
    {
        string[] voting = ["cp1", "cp2", "cp3"];
        foreach (var healthy in Subsets(voting))
        {
            var decision = Decide(All("cp1", "cp2", "cp3", "spare", data: voting), Cluster(voting, healthy: healthy));
            Assert.Equal(healthy.Count == 3 ? EtcdMembershipAction.Add : EtcdMembershipAction.Refuse, decision.Action);
        }
    }

    [Fact]
    public void Every_health_combination_a_lost_member_is_replaced_only_when_all_the_others_are_healthy()
    {
        string[] voting = ["cp1", "cp2", "cp3", "spare"];
        foreach (var healthy in Subsets(["cp1", "cp2", "cp3"]))
        {
            // spare lost its data and is down; whether it is replaced depends on the three others alone.
            var decision = Decide(All("cp1", "cp2", "cp3", "spare", data: ["cp1", "cp2", "cp3"]), Cluster(voting, healthy: healthy));
            var expected = healthy.Count == 3 ? EtcdMembershipAction.Replace : EtcdMembershipAction.Refuse;
            Assert.True(expected == decision.Action, $"healthy [{string.Join(",", healthy)}]: {decision.Action} ({decision.Reason})");
        }
    }

    private static EtcdMembershipDecision Decide(IReadOnlyList<EtcdHostFacts> hosts, EtcdClusterView? cluster, IReadOnlyList<string>? data = null) =>
        EtcdMembershipPolicy.Decide(data is null ? hosts : WithData(hosts, [.. data]), cluster);

    /// <summary>Hosts of a new cluster's file: no data, a unit written with state new.</summary>
    private static List<EtcdHostFacts> Hosts(params string[] names) =>
        [.. names.Select(n => new EtcdHostFacts(n, Peer(n), HasData: false, new EtcdInitialCluster("x", EtcdClusterState.New, "etcd-lab")))];

    /// <summary>Hosts that all hold data unless <paramref name="data"/> says which do.</summary>
    private static List<EtcdHostFacts> All(string a, string? b = null, string? c = null, string? d = null, string[]? data = null)
    {
        var names = new[] { a, b, c, d }.OfType<string>().ToArray();
        return WithData(Hosts(names), data ?? names);
    }

    private static List<EtcdHostFacts> WithData(IReadOnlyList<EtcdHostFacts> hosts, params string[] data) =>
        [.. hosts.Select(h => h with { HasData = data.Contains(h.Name) })];

    private static EtcdClusterView Cluster(string[] names, IReadOnlyList<string>? healthy = null, string[]? learners = null, string[]? unstarted = null, string leader = "cp1")
    {
        learners ??= [];
        unstarted ??= [];
        var members = names.Select(n => new EtcdMember(
            Machines[n].Id, unstarted.Contains(n) && learners.Contains(n) ? string.Empty : n, [Peer(n)], unstarted.Contains(n) ? [] : [$"https://{Machines[n].Address}:2379"], learners.Contains(n)))
            .ToList();
        var up = (healthy ?? names.Where(n => !learners.Contains(n) && !unstarted.Contains(n)).ToList()).Select(n => Machines[n].Id).ToHashSet();
        return new EtcdClusterView(members, up, Machines.TryGetValue(leader, out var l) ? l.Id : 0);
    }

    private static string Peer(string name) => $"https://{Machines[name].Address}:2380";

    private static IEnumerable<List<string>> Subsets(string[] items) =>
        Enumerable.Range(0, 1 << items.Length).Select(mask => items.Where((_, i) => (mask & (1 << i)) != 0).ToList());
}
