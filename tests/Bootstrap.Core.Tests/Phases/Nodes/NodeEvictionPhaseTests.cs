using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Phases.Nodes;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;
using k8s.Models;
using Serilog;

namespace Bootstrap.Core.Tests.Phases.Nodes;

/// <summary>
/// When node-eviction restarts the controller managers (kubernetes/kubernetes#94183 on v1.20.0–v1.20.4). That a lost
/// node's pods then move is the lab's (WorkloadChecks, a step of InitLabTests, stops w2's kubelet on a fresh cluster).
/// </summary>
public sealed class NodeEvictionPhaseTests
{
    private const string Unit = "kube-controller-manager.service";
    private static readonly ClusterConfig Config = LabCluster.Load();
    private static readonly DateTime LeaderSince = new(2026, 12, 2, 3, 38, 5, DateTimeKind.Utc);

    private static V1Lease Lease(string holder, DateTime acquired) => new()
    {
        Metadata = new V1ObjectMeta { Name = NodeEvictionPhase.LeaseName, NamespaceProperty = "kube-system" },
        Spec = new V1LeaseSpec { HolderIdentity = holder, AcquireTime = acquired },
    };

    private static V1Node Node(string name, DateTime created)
    {
        var node = FakeClusterReader.Node(name, null, "192.168.56.31");
        node.Metadata.CreationTimestamp = created;
        return node;
    }

    private static V1Node[] Registered(DateTime created) => [.. new[] { "cp1", "cp2", "cp3", "w1", "w2" }.Select(n => Node(n, created))];

    private static async Task<TargetPlan> PlanAsync(string host, IClusterReader api, bool dryRun = false)
    {
        var node = new FakeNode(host);
        node.Units[Unit] = ("active", "enabled");
        var context = new PhaseContext
        {
            Config = Config,
            Hosts = new Dictionary<string, IRemoteHost>(StringComparer.Ordinal) { [host] = node.Host() },
            Redactor = new SecretRedactor(),
            Logger = new LoggerConfiguration().CreateLogger(),
            Api = new ApiSource(api),
            DryRun = dryRun,
        };
        return await new NodeEvictionPhase().PlanAsync(context, PhaseTarget.Of(Config.Host(host)), CancellationToken.None);
    }

    [Fact]
    public async Task Nodes_that_registered_after_the_leader_took_its_lease_restart_the_leading_controller_manager_alone()
    {
        var api = new FakeClusterReader(Registered(LeaderSince.AddSeconds(30))) { Lease = Lease("cp3_7f1c", LeaderSince) };

        var cp1 = await PlanAsync("cp1", api);
        var cp3 = await PlanAsync("cp3", api);

        var restart = Assert.Single(cp3.Changes);
        Assert.Equal(ChangeKind.UnitRestart, restart.Kind);
        Assert.Equal(Unit, restart.Target);
        Assert.Contains("Node cp1, cp2, cp3, w1, w2 registered after the leading controller manager took its lease (2026-12-02 03:38:05Z)", restart.Reason, StringComparison.Ordinal);
        Assert.Contains("kubernetes/kubernetes#94183", restart.Reason, StringComparison.Ordinal);
        Assert.True(cp3.Rolling);
        Assert.Equal("would release the lease of cp3_7f1c and wait for a controller manager to take it after every Node registered", cp3.VerifyDescription);
        Assert.Empty(cp1.Changes);
        Assert.Contains("the leader is cp3_7f1c: this controller manager never ran the controllers since it started", Assert.Single(cp1.Notes), StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_no_control_plane_holds_the_lease_by_name_every_controller_manager_restarts_in_a_roll()
    {
        var api = new FakeClusterReader(Registered(LeaderSince.AddSeconds(30))) { Lease = Lease("kcm-elsewhere_7f1c", LeaderSince) };

        var plans = await Task.WhenAll(new[] { "cp1", "cp2", "cp3" }.Select(h => PlanAsync(h, api)));

        Assert.All(plans, plan =>
        {
            Assert.Equal(ChangeKind.UnitRestart, Assert.Single(plan.Changes).Kind);
            Assert.True(plan.Rolling);
            Assert.Null(plan.VerifyDescription);
        });
    }

    [Fact]
    public async Task A_leader_that_took_its_lease_after_every_node_registered_is_left_alone_so_a_rerun_changes_nothing()
    {
        var api = new FakeClusterReader(Registered(LeaderSince.AddMinutes(-5))) { Lease = Lease("cp1_0a2b", LeaderSince) };

        var plan = await PlanAsync("cp2", api);

        Assert.Empty(plan.Changes);
        Assert.Equal(["the leading controller manager took its lease at 2026-12-02 03:38:05Z; no two Nodes registered since"], plan.Notes);
    }

    [Fact]
    public async Task One_node_that_registered_alone_among_ready_ones_is_left_alone_but_the_first_node_of_a_cluster_is_not()
    {
        var nodes = Registered(LeaderSince.AddMinutes(-5));
        nodes[4] = Node("w2", LeaderSince.AddMinutes(1));
        var api = new FakeClusterReader(nodes) { Lease = Lease("cp1_0a2b", LeaderSince) };
        var first = new FakeClusterReader(Node("cp1", LeaderSince.AddMinutes(1))) { Lease = Lease("cp1_0a2b", LeaderSince) };

        var alone = await PlanAsync("cp1", api);
        var firstNode = await PlanAsync("cp1", first);

        Assert.Empty(alone.Changes);
        Assert.Contains("Node cp1 registered after the leading controller manager took its lease", Assert.Single(firstNode.Changes).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_lists_the_restart_when_two_nodes_of_the_file_are_still_to_join()
    {
        var api = new FakeClusterReader([.. Registered(LeaderSince.AddMinutes(-5)).Where(n => n.Metadata.Name is not ("w1" or "w2"))]) { Lease = Lease("cp1_0a2b", LeaderSince) };

        var dryRun = await PlanAsync("cp1", api, dryRun: true);
        var real = await PlanAsync("cp1", api);

        Assert.Contains("w1, w2 join in this run", Assert.Single(dryRun.Changes).Reason, StringComparison.Ordinal);
        Assert.Empty(real.Changes);
    }

    [Fact]
    public async Task Without_a_leader_nothing_is_restarted_and_the_plan_says_why()
    {
        var plan = await PlanAsync("cp1", new FakeClusterReader(Registered(LeaderSince)));

        Assert.Empty(plan.Changes);
        Assert.Equal(["no controller manager holds its lease yet: the one that takes it will see the Nodes as they are"], plan.Notes);
    }

    [Fact]
    public void Only_the_releases_with_the_defect_have_targets()
    {
        var phase = new NodeEvictionPhase();

        Assert.Equal(["cp1", "cp2", "cp3"], phase.Targets(Config).Select(t => t.Name));
        Assert.Empty(phase.Targets(Config with { KubernetesVersion = new KubernetesVersion(1, 20, 5) }));
        Assert.Empty(phase.Targets(Config with { KubernetesVersion = new KubernetesVersion(1, 21, 0) }));
        Assert.NotEmpty(phase.Targets(Config with { KubernetesVersion = new KubernetesVersion(1, 20, 3, "lab.0") }));
    }

    [Theory]
    [InlineData("cp3_7f1c-44", "cp3", true)]
    [InlineData("cp3_7f1c-44", "cp", false)]
    [InlineData("cp30_7f1c-44", "cp3", false)]
    [InlineData(null, "cp3", false)]
    public void The_lease_holder_is_the_host_its_identity_starts_with(string? holder, string host, bool holds)
    {
        Assert.Equal(holds, NodeEvictionPhase.HoldsLease(holder is null ? null : Lease(holder, LeaderSince), host));
    }
}
