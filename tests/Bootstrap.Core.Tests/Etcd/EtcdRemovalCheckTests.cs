using Bootstrap.Core.Etcd;

namespace Bootstrap.Core.Tests.Etcd;

/// <summary>Whether a reset host's etcd member may leave: never below a healthy quorum, never the last one, leadership moved first.</summary>
public sealed class EtcdRemovalCheckTests
{
    private const string Cp3 = "https://192.168.56.23:2380";

    [Fact]
    public void A_follower_of_three_healthy_members_leaves_without_moving_leadership()
    {
        var check = EtcdRemovalCheck.Of(Cluster(healthy: [1, 2, 3], leader: 1), "cp3", Cp3);

        Assert.Null(check.Refusal);
        Assert.Equal(3UL, check.Member!.Id);
        Assert.Null(check.Successor);
    }

    [Fact]
    public void The_leader_leaves_after_leadership_moved_to_a_healthy_member()
    {
        var check = EtcdRemovalCheck.Of(Cluster(healthy: [1, 2, 3], leader: 3), "cp3", Cp3);

        Assert.Null(check.Refusal);
        Assert.Equal("cp1", check.Successor!.Name);
    }

    [Fact]
    public void A_removal_that_leaves_one_of_two_healthy_is_refused_naming_the_unhealthy_member()
    {
        var check = EtcdRemovalCheck.Of(Cluster(healthy: [1, 3], leader: 1), "cp3", Cp3);

        Assert.Equal(
            "removing cp3's etcd member would leave 1 of 2 members healthy, below a quorum of 2 (cp2 not healthy): bring them back first (`bootstrap etcd status`), or restore a snapshot; nothing was changed",
            check.Refusal);
    }

    [Fact]
    public void An_unhealthy_member_may_leave_when_the_others_keep_a_quorum()
    {
        Assert.Null(EtcdRemovalCheck.Of(Cluster(healthy: [1, 2], leader: 1), "cp3", Cp3).Refusal);
    }

    [Fact]
    public void The_last_member_is_refused()
    {
        var one = new EtcdClusterView([Member(3, "cp3")], new HashSet<ulong> { 3 }, 3);

        Assert.StartsWith("cp3 holds the last etcd member", EtcdRemovalCheck.Of(one, "cp3", Cp3).Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_without_a_member_or_with_a_learner_needs_no_quorum()
    {
        var learner = new EtcdClusterView([Member(1, "cp1"), Member(2, "cp2") with { IsLearner = true }], new HashSet<ulong> { 1 }, 1);

        Assert.Equal(new EtcdRemovalCheck(null, null, null), EtcdRemovalCheck.Of(Cluster(healthy: [1, 2], leader: 1, members: 2), "cp3", Cp3));
        Assert.Null(EtcdRemovalCheck.Of(learner, "cp2", "https://192.168.56.22:2380").Refusal);
    }

    private static EtcdClusterView Cluster(ulong[] healthy, ulong leader, int members = 3) =>
        new([.. Enumerable.Range(1, members).Select(i => Member((ulong)i, $"cp{i}"))], healthy.ToHashSet(), leader);

    private static EtcdMember Member(ulong id, string name) =>
        new(id, name, [$"https://192.168.56.2{name[^1]}:2380"], [$"https://192.168.56.2{name[^1]}:2379"], false);
}
