using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Workflow;

public sealed class WorkflowHostFilterTests
{
    private readonly RecordingObserver _observer = new();

    [Fact]
    public async Task A_host_filter_runs_each_leaf_only_on_its_targets_among_the_selected_hosts()
    {
        var everyHost = new TestPhase("preflight");
        var controlPlane = new TestPhase("apiserver", role: HostRole.ControlPlane);
        var workers = new TestPhase("kubelet", role: HostRole.Worker);
        var tree = new PhaseTree("join", [everyHost, controlPlane, workers]);

        var result = await new WorkflowRunner(_observer).RunAsync(
            tree, new WorkflowSelection { Hosts = ["w2"] }, WorkflowFixtures.Context(), CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(["w2"], everyHost.Ran);
        Assert.Empty(controlPlane.Ran);
        Assert.Equal(["w2"], workers.Ran);
        Assert.Equal(["w2"], _observer.Events.Single(e => e.Kind == WorkflowEventKind.PhaseStarted && e.Phase == "preflight").Hosts);
    }

    [Fact]
    public async Task A_cluster_wide_phase_still_runs_once_on_its_stand_in_host_under_a_host_filter()
    {
        var api = new ClusterWideTestPhase();
        var tree = new PhaseTree("join", [api]);

        await new WorkflowRunner(_observer).RunAsync(tree, new WorkflowSelection { Hosts = ["w1"] }, WorkflowFixtures.Context(), CancellationToken.None);

        Assert.Equal(["cp1"], api.Ran);
    }

    [Fact]
    public async Task An_unknown_host_is_refused_naming_it_and_the_known_hosts_before_anything_runs()
    {
        var phase = new TestPhase("preflight");

        var error = await Assert.ThrowsAsync<WorkflowSelectionException>(() => new WorkflowRunner(_observer).RunAsync(
            new PhaseTree("join", [phase]), new WorkflowSelection { Hosts = ["w1", "w9"] }, WorkflowFixtures.Context(), CancellationToken.None));

        var problem = Assert.Single(error.Problems);
        Assert.Contains("unknown host \"w9\"", problem, StringComparison.Ordinal);
        Assert.Contains("lb1, lb2, cp1, cp2, cp3, w1, w2", problem, StringComparison.Ordinal);
        Assert.Empty(phase.Ran);
    }

    [Fact]
    public void The_hosts_a_run_needs_are_the_selected_targets_plus_the_stand_ins_of_cluster_wide_phases()
    {
        var tree = new PhaseTree("join", [new TestPhase("preflight"), new TestPhase("kubelet", role: HostRole.Worker), new ClusterWideTestPhase()]);

        var hosts = WorkflowRunner.HostsOf(tree, new WorkflowSelection { Hosts = ["w2"] }, WorkflowFixtures.LabConfig);

        Assert.Equal(["cp1", "w2"], hosts.Select(h => h.Name));
    }

    [Fact]
    public void Without_a_host_filter_the_hosts_a_run_needs_are_every_target_of_a_selected_phase()
    {
        var tree = new PhaseTree("init", [new TestPhase("preflight"), new TestPhase("kubelet", role: HostRole.Worker)]);

        Assert.Equal(7, WorkflowRunner.HostsOf(tree, WorkflowSelection.All, WorkflowFixtures.LabConfig).Count);
        Assert.Equal(["w1", "w2"], WorkflowRunner.HostsOf(tree, new WorkflowSelection { Skip = ["preflight"] }, WorkflowFixtures.LabConfig).Select(h => h.Name));
    }

    private sealed class ClusterWideTestPhase : IClusterWidePhase
    {
        public string Name => "api";

        public string Description => "a cluster-wide test phase";

        public IReadOnlyList<IPhase> Children => [];

        public List<string> Ran { get; } = [];

        public IReadOnlyList<HostSpec> Targets(ClusterConfig config) => config.ControlPlaneHosts.Take(1).ToList();

        public Task<bool> NeedsRunAsync(PhaseContext context, IRemoteHost host, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<PhaseResult> RunAsync(PhaseContext context, IRemoteHost host, CancellationToken cancellationToken)
        {
            lock (Ran)
            {
                Ran.Add(host.Name);
            }

            return Task.FromResult(PhaseResult.Unchanged());
        }
    }
}
