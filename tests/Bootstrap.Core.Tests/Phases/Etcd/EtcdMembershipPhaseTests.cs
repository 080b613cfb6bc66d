using System.Net;
using Bootstrap.Core.Config;
using Bootstrap.Core.Phases.Etcd;
using Bootstrap.Core.Tests.Workflow;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Phases.Etcd;

/// <summary><c>etcd/membership</c> planned against fake etcd hosts: which target carries which change, and what a refusal looks like.</summary>
public sealed class EtcdMembershipPhaseTests
{
    private static readonly ClusterConfig Lab = LabCluster.Load();

    [Fact]
    public async Task A_new_host_is_added_as_a_learner_through_the_first_healthy_member_on_its_own_target()
    {
        var etcd = Running("cp1", "cp2", "cp3");
        var plans = await PlanAsync(WithSpare(Lab), etcd);

        var add = Assert.Single(plans["spare"].Changes);
        Assert.Equal(ChangeKind.EtcdMemberAdd, add.Kind);
        Assert.Equal("would add etcd member spare (https://192.168.56.41:2380) as a learner (through cp1; etcd/member starts it, then promotes it once it caught up)", add.Describe(dryRun: true));
        Assert.All(new[] { "cp1", "cp2", "cp3" }, h => Assert.Empty(plans[h].Changes));
        Assert.All(plans.Values, p => Assert.Null(p.Refusal));
    }

    [Fact]
    public async Task Applied_the_addition_runs_member_add_learner_on_the_coordinator_only()
    {
        var etcd = Running("cp1", "cp2", "cp3");
        var config = WithSpare(Lab);
        await using var context = Context(config, etcd, dryRun: false);

        var plan = await new EtcdMembershipPhase().PlanAsync(context, PhaseTarget.Of(config.Host("spare")), CancellationToken.None);
        var done = await Changes.ApplyAsync(context, plan.Changes);

        var asked = Assert.Single(etcd.Asked, a => a.Command.Contains(" member add ", StringComparison.Ordinal));
        Assert.Equal("cp1", asked.Host);
        Assert.EndsWith("-w json member add spare --peer-urls=https://192.168.56.41:2380 --learner", asked.Command, StringComparison.Ordinal);
        Assert.Contains("spare is etcd member 63 (a learner until it caught up), added through cp1", done);
    }

    /// <summary>
    /// The unit was read with `cat`: /dev/zero linked in its place was read without end (plan hung, the workstation's memory grew).
    /// Now it is a small-file read, refused naming the host and what to do.
    /// </summary>
    [Fact]
    public async Task A_device_in_the_units_place_is_never_read_and_the_error_says_to_remove_it()
    {
        var etcd = Running("cp1", "cp2", "cp3");
        etcd.DeviceUnits.Add("cp3");
        await using var context = Context(Lab, etcd, dryRun: true);

        var failed = await Assert.ThrowsAsync<IOException>(() => new EtcdMembershipPhase().PlanAsync(context, PhaseTarget.Of(Lab.Host("cp3")), CancellationToken.None));

        Assert.Equal(
            "cp3: cannot read /etc/systemd/system/etcd.service: /etc/systemd/system/etcd.service is not a regular file (a directory, a device or a FIFO), which is never read;"
            + " remove it (`sudo rm -- /etc/systemd/system/etcd.service`) and run again: Bootstrap writes it again",
            failed.Message);
        Assert.DoesNotContain(etcd.Asked, a => a.Command.Contains("cat -- /etc/systemd", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_changes_at_once_are_refused_once_by_the_coordinator_and_nothing_else_is_planned()
    {
        var etcd = Running("cp1", "cp2", "cp3");
        var config = WithSpare(Lab) with { Hosts = [.. WithSpare(Lab).Hosts.Where(h => h.Name != "cp3")] };

        var plans = await PlanAsync(config, etcd);

        Assert.StartsWith("the cluster file asks for 2 etcd membership changes at once (add spare and remove cp3)", plans["cp1"].Refusal, StringComparison.Ordinal);
        Assert.All(plans.Where(p => p.Key != "cp1"), p => Assert.Null(p.Value.Refusal));
        Assert.All(plans.Values, p => Assert.Empty(p.Changes));
    }

    [Fact]
    public async Task A_leading_member_without_a_host_is_removed_after_leadership_moved_and_an_unreachable_host_is_left_to_the_admin()
    {
        var etcd = Running("cp1", "cp2", "cp3", "spare");
        etcd.Leader = 4;

        var plans = await PlanAsync(Lab, etcd);

        Assert.Equal([ChangeKind.EtcdLeaderMove, ChangeKind.EtcdMemberRemove], plans["cp1"].Changes.Select(c => c.Kind));
        Assert.Equal("would move etcd leadership from spare to cp1 (spare leads and is leaving)", plans["cp1"].Changes[0].Describe(dryRun: true));
        Assert.Contains(plans["cp1"].Notes, n => n.StartsWith("spare (192.168.56.41) is not reachable (this run connects to no host outside the cluster file)", StringComparison.Ordinal));
        Assert.All(new[] { "cp2", "cp3" }, h => Assert.Empty(plans[h].Changes));
    }

    [Fact]
    public async Task A_member_that_lost_its_data_is_removed_stopped_and_added_again_on_its_own_target()
    {
        var etcd = Running("cp1", "cp2", "cp3");
        etcd.Data["cp3"] = false;
        etcd.Healthy.Remove("cp3");
        etcd.Active["cp3"] = "activating";

        var plans = await PlanAsync(Lab, etcd);

        Assert.Equal([ChangeKind.EtcdMemberRemove, ChangeKind.UnitStop, ChangeKind.EtcdMemberAdd], plans["cp3"].Changes.Select(c => c.Kind));
        Assert.Contains(plans["cp3"].Notes, n => n.StartsWith("cp3 lost its data", StringComparison.Ordinal));
        Assert.All(new[] { "cp1", "cp2" }, h => Assert.Empty(plans[h].Changes));
    }

    [Fact]
    public async Task A_new_cluster_changes_no_membership_and_asks_no_member_for_its_health()
    {
        var etcd = new FakeEtcd();

        var plans = await PlanAsync(Lab, etcd);

        Assert.All(plans.Values, p => Assert.Empty(p.Changes));
        Assert.Contains(plans["cp1"].Notes, n => n.Contains("start together as a new cluster", StringComparison.Ordinal));
        Assert.DoesNotContain(etcd.Asked, a => a.Command.Contains("etcdctl", StringComparison.Ordinal));
    }

    private static FakeEtcd Running(params string[] members)
    {
        var etcd = new FakeEtcd { Leader = 1 };
        var addresses = new Dictionary<string, string> { ["cp1"] = "192.168.56.21", ["cp2"] = "192.168.56.22", ["cp3"] = "192.168.56.23", ["spare"] = "192.168.56.41" };
        foreach (var (name, index) in members.Select((m, i) => (m, i)))
        {
            etcd.Members.Add((name, (ulong)index + 1, addresses[name], false, true));
            etcd.Data[name] = true;
            etcd.Healthy.Add(name);
        }

        return etcd;
    }

    private static ClusterConfig WithSpare(ClusterConfig config) =>
        config with { Hosts = [.. config.Hosts, config.Host("cp3") with { Name = "spare", Address = IPAddress.Parse("192.168.56.41") }] };

    private static PhaseContext Context(ClusterConfig config, FakeEtcd etcd, bool dryRun) =>
        WorkflowFixtures.Context(etcd.Host, config: config, dryRun: dryRun);

    private static async Task<Dictionary<string, TargetPlan>> PlanAsync(ClusterConfig config, FakeEtcd etcd)
    {
        await using var context = Context(config, etcd, dryRun: true);
        var phase = new EtcdMembershipPhase();
        var plans = new Dictionary<string, TargetPlan>(StringComparer.Ordinal);
        foreach (var target in phase.Targets(config))
        {
            plans[target.Name] = await phase.PlanAsync(context, target, CancellationToken.None);
        }

        return plans;
    }
}
