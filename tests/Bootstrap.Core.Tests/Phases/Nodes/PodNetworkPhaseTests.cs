using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Phases.Nodes;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Rendering;
using Bootstrap.Core.Tests.Rendering;
using Bootstrap.Core.Workflow;
using k8s.Models;
using Serilog;

namespace Bootstrap.Core.Tests.Phases.Nodes;

/// <summary>What pod-network plans on a node, from the API's Nodes and what the node has (its behaviour on real nodes is the lab's WorkloadChecks, steps of InitLabTests).</summary>
public sealed class PodNetworkPhaseTests
{
    private const string Unit = "/etc/systemd/system/bootstrap-pod-network.service";
    private static readonly ClusterConfig Config = LabCluster.Load();

    private static readonly V1Node[] Allocated =
    [.. LabRenderings.LabNodes.Select(n => FakeClusterReader.Node(n.Name, n.PodCidr!.Value.ToString(), n.Address!.ToString()))];

    private static async Task<TargetPlan> PlanAsync(FakeNode node, IClusterReader api, ClusterConfig? config = null)
    {
        var context = new PhaseContext
        {
            Config = config ?? Config,
            Hosts = new Dictionary<string, IRemoteHost>(StringComparer.Ordinal) { [node.Name] = node.Host() },
            Redactor = new SecretRedactor(),
            Logger = new LoggerConfiguration().CreateLogger(),
            Api = new ApiSource(api),
        };
        return await new PodNetworkPhase().PlanAsync(context, PhaseTarget.Of((config ?? Config).Host(node.Name)), CancellationToken.None);
    }

    private static IEnumerable<string> Lines(TargetPlan plan) => plan.Changes.Select(c => c.Describe(dryRun: true));

    /// <summary>w1 exactly as the phase leaves it for <see cref="LabRenderings.LabNodes"/>.</summary>
    private static FakeNode ConvergedW1()
    {
        var files = new NodeFiles(new TemplateRenderer());
        var node = new FakeNode("w1")
        {
            Routes = """[{"dst":"10.244.0.0/24","gateway":"192.168.56.21"},{"dst":"10.244.2.0/24","gateway":"192.168.56.22"},{"dst":"10.244.1.0/24","gateway":"192.168.56.23"},{"dst":"10.244.4.0/24","gateway":"192.168.56.32"}]""",
            Masquerading = true,
        };
        node.Files[Unit] = files.PodNetworkUnit(Config, Config.Host("w1"), PodRoutes.For(Config, "w1", LabRenderings.LabNodes).Routes);
        node.Files[NodeLayout.CniConflist] = files.CniConflist(Config, System.Net.IPNetwork.Parse("10.244.3.0/24"));
        node.Units[ServiceCatalogUnit] = ("active", "enabled");
        return node;
    }

    private const string ServiceCatalogUnit = "bootstrap-pod-network.service";

    [Fact]
    public async Task A_new_node_gets_its_allocated_range_and_routes_to_every_other_node_then_is_checked_ready()
    {
        var plan = await PlanAsync(new FakeNode("w1"), new FakeClusterReader(Allocated));

        Assert.Equal(
        [
            $"would create {Unit}",
            $"would create {NodeLayout.CniConflist}",
            $"would enable {ServiceCatalogUnit}",
            "would reload systemd's unit files (a unit file changes)",
            $"would start {ServiceCatalogUnit} (bootstrap-pod-network is inactive)",
        ],
        Lines(plan));
        Assert.Contains("node w1 hands out pod addresses from 10.244.3.0/24; routes to 4 other node(s)", plan.Notes);
        Assert.NotNull(plan.Verify);
        Assert.Equal("would check that node w1 is Ready (its pod network exists)", plan.VerifyDescription);
    }

    [Fact]
    public async Task A_node_as_the_phase_left_it_plans_nothing()
    {
        var plan = await PlanAsync(ConvergedW1(), new FakeClusterReader(Allocated));

        Assert.Empty(plan.Changes);
    }

    [Fact]
    public async Task A_lost_route_restarts_the_unit_and_a_route_to_a_range_no_node_has_is_deleted()
    {
        var node = ConvergedW1();
        node.Routes = """[{"dst":"10.244.0.0/24","gateway":"192.168.56.21"},{"dst":"10.244.2.0/24","gateway":"192.168.56.99"},{"dst":"10.244.1.0/24","gateway":"192.168.56.23"},{"dst":"10.244.9.0/24","gateway":"192.168.56.39"}]""";
        node.Masquerading = false;

        var plan = await PlanAsync(node, new FakeClusterReader(Allocated));

        Assert.Equal(
        [
            $"would restart {ServiceCatalogUnit} (the route to cp2's pods 10.244.2.0/24 goes via 192.168.56.99, not 192.168.56.22; "
                + "the route to w2's pods 10.244.4.0/24 is missing; the masquerade rule for 10.244.0.0/16 is missing)",
            "would delete the route 10.244.9.0/24 (no node has this pod range any more)",
        ],
        Lines(plan));
        Assert.True(plan.Rolling);
    }

    [Fact]
    public async Task A_node_that_joins_gets_a_route_on_a_node_that_had_none_to_it()
    {
        var nodes = Allocated.Append(FakeClusterReader.Node("w3", "10.244.5.0/24", "192.168.56.33")).ToArray();

        var plan = await PlanAsync(ConvergedW1(), new FakeClusterReader(nodes));

        Assert.Equal([$"would replace {Unit} (content differs)", "would reload systemd's unit files (a unit file changes)", $"would restart {ServiceCatalogUnit} (bootstrap-pod-network runs with files that are about to change: {Unit})"], Lines(plan));
    }

    [Fact]
    public async Task A_node_not_registered_yet_gets_files_written_from_the_api_when_they_are_applied()
    {
        var plan = await PlanAsync(new FakeNode("w1"), new FakeClusterReader([.. Allocated.Where(n => n.Metadata.Name != "w1")]));

        Assert.Equal(
        [
            $"would create {NodeLayout.CniConflist} (from node w1's pod range (Node.spec.podCIDR), allocated as it registers; w1 has not registered its Node yet)",
            $"would create {Unit} (routes to the other nodes' pod ranges, as the API lists them then)",
            $"would enable {ServiceCatalogUnit}",
            "would reload systemd's unit files (a unit file changes)",
            $"would start {ServiceCatalogUnit} (bootstrap-pod-network is inactive)",
        ],
        Lines(plan));
        Assert.All(plan.Changes, c => Assert.NotNull(c.Apply));
    }

    [Fact]
    public async Task With_cni_none_everything_of_bootstraps_network_is_removed_and_then_nothing_is_planned()
    {
        var config = Config with { Networking = Config.Networking with { Cni = PodNetwork.None } };

        var plan = await PlanAsync(ConvergedW1(), new FakeClusterReader(Allocated), config);
        var after = await PlanAsync(new FakeNode("w1"), new FakeClusterReader(Allocated), config);

        Assert.Equal(
        [
            $"would stop {ServiceCatalogUnit} (networking.cni is none: the pod network is the admin's)",
            $"would disable {ServiceCatalogUnit} (networking.cni is none: the pod network is the admin's)",
            $"would remove {Unit} (networking.cni is none: the pod network is the admin's)",
            $"would remove {NodeLayout.CniConflist} (networking.cni is none: the pod network is the admin's)",
            "would reload systemd's unit files (a unit file was removed)",
            "would delete the route 10.244.0.0/24 (networking.cni is none: the pod network is the admin's)",
            "would delete the route 10.244.2.0/24 (networking.cni is none: the pod network is the admin's)",
            "would delete the route 10.244.1.0/24 (networking.cni is none: the pod network is the admin's)",
            "would delete the route 10.244.4.0/24 (networking.cni is none: the pod network is the admin's)",
            "would delete the iptables rule nat POSTROUTING \"bootstrap: masquerade pod traffic leaving the pod network\" (networking.cni is none: the pod network is the admin's)",
        ],
        Lines(plan));
        Assert.Null(plan.Verify);
        Assert.Empty(after.Changes);
        Assert.Contains(after.Notes, n => n.StartsWith("the pod network is the admin's (networking.cni: none)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bridge_holding_an_address_of_another_range_loses_it_so_that_new_pods_are_not_refused()
    {
        var node = ConvergedW1();
        node.Bridge = """[{"ifindex":5,"ifname":"cni0","addr_info":[{"family":"inet","local":"10.244.3.1","prefixlen":24,"scope":"global"},{"family":"inet","local":"10.244.7.1","prefixlen":24,"scope":"global"},{"family":"inet6","local":"fe80::1","prefixlen":64,"scope":"link"}]}]""";

        var plan = await PlanAsync(node, new FakeClusterReader(Allocated));

        var change = Assert.Single(plan.Changes);
        Assert.Equal(ChangeKind.AddressDelete, change.Kind);
        Assert.StartsWith("would delete the address 10.244.7.1/24 of cni0 (outside the node's pod range 10.244.3.0/24", change.Describe(dryRun: true), StringComparison.Ordinal);
    }
}
