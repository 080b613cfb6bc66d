using Bootstrap.Core.Config;
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
    public async Task A_cluster_wide_phase_still_runs_once_under_a_host_filter()
    {
        var api = new ClusterWideTestPhase();
        var tree = new PhaseTree("join", [api]);

        var result = await new WorkflowRunner(_observer).RunAsync(tree, new WorkflowSelection { Hosts = ["w1"] }, WorkflowFixtures.Context(), CancellationToken.None);

        Assert.Equal(["cluster"], api.Ran);
        Assert.Equal("cluster", result.Phases.Single().Hosts.Single().Host);
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
    public void The_hosts_a_run_needs_are_the_selected_host_targets_and_no_host_for_cluster_wide_or_api_phases()
    {
        var tree = new PhaseTree("join", [new TestPhase("preflight"), new TestPhase("kubelet", role: HostRole.Worker), new ClusterWideTestPhase(), new ApiOnNodesTestPhase()]);

        var hosts = WorkflowRunner.HostsOf(tree, new WorkflowSelection { Hosts = ["w2"] }, WorkflowFixtures.LabConfig);

        Assert.Equal(["w2"], hosts.Select(h => h.Name));
        Assert.Equal(["w1", "w2"], WorkflowRunner.HostsOf(new PhaseTree("x", [new TestPhase("kubelet", role: HostRole.Worker), new ApiOnNodesTestPhase()]), WorkflowSelection.All, WorkflowFixtures.LabConfig).Select(h => h.Name));
    }

    [Fact]
    public async Task A_guard_runs_before_a_single_later_phase_even_when_skipped_by_only_and_only_on_the_hosts_it_protects()
    {
        var guard = new GuardTestPhase();
        var workers = new TestPhase("kubelet", role: HostRole.Worker);
        var tree = new PhaseTree("init", [new TestPhase("preflight"), guard, new TestPhase("certs", role: HostRole.ControlPlane), workers]);

        var result = await new WorkflowRunner(_observer).RunAsync(tree, new WorkflowSelection { Only = "kubelet" }, WorkflowFixtures.Context(), CancellationToken.None);

        Assert.Equal(["identity", "kubelet"], result.Phases.Select(p => p.Path));
        Assert.Equal(["w1", "w2"], guard.Planned.Order());
        Assert.Equal(["w1", "w2"], workers.Ran.Order());
    }

    [Fact]
    public async Task A_guard_refusal_stops_the_run_before_any_later_phase_plans()
    {
        var guard = new GuardTestPhase(refuse: "cp2");
        var certs = new TestPhase("certs", role: HostRole.ControlPlane);

        var result = await new WorkflowRunner(_observer).RunAsync(new PhaseTree("init", [guard, certs]), WorkflowSelection.All, WorkflowFixtures.Context(), CancellationToken.None);

        Assert.Equal("identity", result.FirstFailure!.Path);
        Assert.Equal(PhaseState.NotStarted, result.Phases[1].State);
        Assert.Empty(certs.Planned);
    }

    [Fact]
    public void A_guard_cannot_be_skipped_and_is_left_out_when_nothing_after_it_runs()
    {
        var tree = new PhaseTree("init", [new TestPhase("preflight"), new GuardTestPhase(), new TestPhase("certs")]);

        var problem = Assert.Single(new WorkflowSelection { Skip = ["identity"] }.Problems(tree));
        Assert.Contains("cannot be skipped", problem, StringComparison.Ordinal);
        Assert.Equal(["preflight"], new WorkflowSelection { Only = "preflight" }.Steps(tree, WorkflowFixtures.LabConfig).Select(s => s.Path));
    }

    [Fact]
    public void Without_a_host_filter_the_hosts_a_run_needs_are_every_target_of_a_selected_phase()
    {
        var tree = new PhaseTree("init", [new TestPhase("preflight"), new TestPhase("kubelet", role: HostRole.Worker)]);

        Assert.Equal(7, WorkflowRunner.HostsOf(tree, WorkflowSelection.All, WorkflowFixtures.LabConfig).Count);
        Assert.Equal(["w1", "w2"], WorkflowRunner.HostsOf(tree, new WorkflowSelection { Skip = ["preflight"] }, WorkflowFixtures.LabConfig).Select(h => h.Name));
    }

    private sealed class ClusterWideTestPhase : ILeafPhase
    {
        public string Name => "api";

        public string Description => "a cluster-wide test phase";

        public List<string> Ran { get; } = [];

        public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config) => [PhaseTarget.Cluster];

        public Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
        {
            lock (Ran)
            {
                Ran.Add(target.Name);
            }

            return Task.FromResult(TargetPlan.Nothing());
        }
    }

    private sealed class ApiOnNodesTestPhase : IApiPhase
    {
        public string Name => "mark";

        public string Description => "acts on the workers' Node objects through the API";

        public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config) => PhaseTarget.Of(config.WorkerHosts);

        public Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken) => Task.FromResult(TargetPlan.Nothing());
    }

    private sealed class GuardTestPhase(string? refuse = null) : IGuardPhase
    {
        public string Name => "identity";

        public string Description => "a guard";

        public List<string> Planned { get; } = [];

        public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config) => PhaseTarget.Of(config.Hosts);

        public Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
        {
            lock (Planned)
            {
                Planned.Add(target.Name);
            }

            return Task.FromResult(target.Name == refuse ? TargetPlan.Refuse("holds another cluster's CA") : TargetPlan.Nothing());
        }
    }
}
