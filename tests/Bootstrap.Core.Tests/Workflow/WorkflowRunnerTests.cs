using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Workflow;

public sealed class WorkflowRunnerTests
{
    private static readonly string[] AllHosts = ["lb1", "lb2", "cp1", "cp2", "cp3", "w1", "w2"];

    private readonly RecordingObserver _observer = new();

    private WorkflowRunner Runner => new(_observer);

    private static (PhaseTree Tree, TestPhase First, TestPhase Ca, TestPhase ApiServer, TestPhase Last) Tree()
    {
        var first = new TestPhase("preflight");
        var ca = new TestPhase("ca", role: HostRole.ControlPlane);
        var apiServer = new TestPhase("apiserver", role: HostRole.ControlPlane);
        var last = new TestPhase("wait", role: HostRole.Worker);
        var tree = new PhaseTree("init", [first, new PhaseGroup("certs", "certificates", [ca, apiServer]), last]);
        return (tree, first, ca, apiServer, last);
    }

    [Fact]
    public async Task Runs_every_leaf_in_tree_order_on_its_target_hosts()
    {
        var (tree, first, ca, apiServer, last) = Tree();

        var result = await Runner.RunAsync(tree, WorkflowSelection.All, WorkflowFixtures.Context(), CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(["preflight", "certs/ca", "certs/apiserver", "wait"], result.Phases.Select(p => p.Path));
        Assert.Equal(AllHosts.Order(), first.Ran.Order());
        Assert.Equal(["cp1", "cp2", "cp3"], ca.Ran.Order());
        Assert.Equal(["cp1", "cp2", "cp3"], apiServer.Ran.Order());
        Assert.Equal(["w1", "w2"], last.Ran.Order());
        var started = _observer.Events.Where(e => e.Kind == WorkflowEventKind.PhaseStarted).Select(e => e.Phase);
        Assert.Equal(["preflight", "certs/ca", "certs/apiserver", "wait"], started);
        Assert.Equal(["cp1", "cp2", "cp3"], _observer.Events.Single(e => e.Kind == WorkflowEventKind.PhaseStarted && e.Phase == "certs/ca").Hosts);
    }

    [Fact]
    public async Task A_phase_starts_only_after_the_previous_one_finished_on_every_host()
    {
        var (tree, _, _, _, _) = Tree();

        await Runner.RunAsync(tree, WorkflowSelection.All, WorkflowFixtures.Context(), CancellationToken.None);

        var events = _observer.Events.ToList();
        var lastHostOfPreflight = events.FindLastIndex(e => e.Phase == "preflight" && e.Kind == WorkflowEventKind.HostFinished);
        var caStarted = events.FindIndex(e => e.Phase == "certs/ca" && e.Kind == WorkflowEventKind.PhaseStarted);
        Assert.True(lastHostOfPreflight < caStarted);
        Assert.Equal(7, events.Count(e => e.Phase == "preflight" && e.Kind == WorkflowEventKind.HostFinished));
    }

    [Fact]
    public async Task Skip_phases_skips_a_group_with_everything_under_it_and_reports_it_skipped()
    {
        var (tree, first, ca, apiServer, last) = Tree();

        var result = await Runner.RunAsync(tree, new WorkflowSelection { Skip = ["certs"] }, WorkflowFixtures.Context(), CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Empty(ca.Ran);
        Assert.Empty(apiServer.Ran);
        Assert.Equal(7, first.Ran.Count);
        Assert.Equal(2, last.Ran.Count);
        Assert.Equal(PhaseState.Skipped, result.Phases.Single(p => p.Path == "certs/ca").State);
        Assert.Contains(_observer.Events, e => e.Phase == "certs/apiserver" && e.Kind == WorkflowEventKind.PhaseFinished && e.State == PhaseState.Skipped);
    }

    [Fact]
    public async Task Only_a_single_leaf_path_runs_that_phase_alone()
    {
        var (tree, first, ca, apiServer, last) = Tree();

        var result = await Runner.RunAsync(tree, new WorkflowSelection { Only = "certs/apiserver" }, WorkflowFixtures.Context(), CancellationToken.None);

        Assert.Equal(["certs/apiserver"], result.Phases.Select(p => p.Path));
        Assert.Equal(3, apiServer.Ran.Count);
        Assert.Empty(first.Ran);
        Assert.Empty(ca.Ran);
        Assert.Empty(last.Ran);
    }

    [Fact]
    public async Task Only_a_group_path_runs_its_children_in_order()
    {
        var (tree, first, _, _, _) = Tree();

        var result = await Runner.RunAsync(tree, new WorkflowSelection { Only = "/Certs/" }, WorkflowFixtures.Context(), CancellationToken.None);

        Assert.Equal(["certs/ca", "certs/apiserver"], result.Phases.Select(p => p.Path));
        Assert.Empty(first.Ran);
    }

    [Fact]
    public async Task Unknown_phase_paths_are_refused_before_anything_runs_naming_each_path()
    {
        var (tree, first, _, _, _) = Tree();
        var selection = new WorkflowSelection { Only = "certs/etcd-ca", Skip = ["kubeconfig"] };

        var error = await Assert.ThrowsAsync<WorkflowSelectionException>(() =>
            Runner.RunAsync(tree, selection, WorkflowFixtures.Context(), CancellationToken.None));

        Assert.Equal(2, error.Problems.Count);
        Assert.Contains("\"certs/etcd-ca\"", error.Problems[0], StringComparison.Ordinal);
        Assert.Contains("\"kubeconfig\"", error.Problems[1], StringComparison.Ordinal);
        Assert.Contains("preflight, certs, certs/ca, certs/apiserver, wait", error.Message, StringComparison.Ordinal);
        Assert.Empty(first.Ran);
        Assert.Empty(_observer.Events);
    }

    [Fact]
    public async Task Hosts_already_up_to_date_are_not_run_and_report_no_change()
    {
        var phase = new TestPhase("files", needsRun: host => host.Name != "cp2");
        var tree = new PhaseTree("init", [phase]);

        var result = await Runner.RunAsync(tree, WorkflowSelection.All, WorkflowFixtures.Context(), CancellationToken.None);

        Assert.DoesNotContain("cp2", phase.Ran);
        var hosts = result.Phases.Single().Hosts.ToDictionary(h => h.Host);
        Assert.Equal(HostPhaseStatus.Unchanged, hosts["cp2"].Status);
        Assert.False(hosts["cp2"].Changed);
        Assert.True(hosts["cp1"].Changed);
        Assert.Equal(["did files"], hosts["cp1"].Details);
        var cp2 = _observer.Events.Single(e => e.Kind == WorkflowEventKind.HostFinished && e.Host == "cp2");
        Assert.False(cp2.Changed);
        Assert.True(_observer.Events.Single(e => e.Kind == WorkflowEventKind.PhaseFinished).Changed);
    }

    [Fact]
    public async Task A_phase_that_ran_but_changed_nothing_reports_unchanged()
    {
        var phase = new TestPhase("files", (_, _) => Task.FromResult(PhaseResult.Unchanged("same hash")));

        var result = await Runner.RunAsync(new PhaseTree("init", [phase]), WorkflowSelection.All, WorkflowFixtures.Context(), CancellationToken.None);

        Assert.All(result.Phases.Single().Hosts, h => Assert.Equal(HostPhaseStatus.Unchanged, h.Status));
        Assert.False(_observer.Events.Single(e => e.Kind == WorkflowEventKind.PhaseFinished).Changed);
    }

    [Fact]
    public async Task An_error_on_one_host_names_it_keeps_the_other_hosts_results_and_stops_later_phases()
    {
        var broken = new TestPhase("etcd", (host, _) => host.Name == "cp2"
            ? throw new InvalidOperationException("etcd did not start")
            : Task.FromResult(PhaseResult.ChangedWith("started")), role: HostRole.ControlPlane);
        var later = new TestPhase("wait");
        var tree = new PhaseTree("init", [broken, later]);

        var result = await Runner.RunAsync(tree, WorkflowSelection.All, WorkflowFixtures.Context(), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal("etcd", result.FirstFailure!.Path);
        var hosts = result.Phases[0].Hosts.ToDictionary(h => h.Host);
        Assert.Equal(HostPhaseStatus.Error, hosts["cp2"].Status);
        Assert.Equal("cp2: etcd did not start", hosts["cp2"].Error);
        Assert.Equal(HostPhaseStatus.Changed, hosts["cp1"].Status);
        Assert.Equal(HostPhaseStatus.Changed, hosts["cp3"].Status);
        Assert.Equal(PhaseState.NotStarted, result.Phases[1].State);
        Assert.Empty(later.Ran);
        Assert.Equal("cp2: etcd did not start", _observer.Events.Single(e => e.Kind == WorkflowEventKind.PhaseFinished && e.Phase == "etcd").Error);
    }

    [Fact]
    public async Task A_reported_failure_keeps_its_details_and_fails_the_phase()
    {
        var phase = new TestPhase("preflight", (host, _) => Task.FromResult(host.Name == "w1"
            ? PhaseResult.Failed("[ERROR Swap]: swap is on", ["[ERROR Swap]: swap is on", "[OK NumCPU]"])
            : PhaseResult.Unchanged("[OK NumCPU]")));

        var result = await Runner.RunAsync(new PhaseTree("init", [phase]), WorkflowSelection.All, WorkflowFixtures.Context(), CancellationToken.None);

        var w1 = result.Phases[0].Hosts.Single(h => h.Host == "w1");
        Assert.Equal(HostPhaseStatus.Failed, w1.Status);
        Assert.Equal("w1: [ERROR Swap]: swap is on", w1.Error);
        Assert.Equal(2, w1.Details.Count);
        Assert.Equal(PhaseState.Failed, result.Phases[0].State);
    }

    [Fact]
    public async Task Errors_and_details_are_redacted()
    {
        var redactor = new SecretRedactor();
        redactor.Register("s3cr3t-token");
        var phase = new TestPhase("token", (host, _) => host.Name == "cp1"
            ? throw new InvalidOperationException("kubeadm rejected s3cr3t-token")
            : Task.FromResult(PhaseResult.ChangedWith("created s3cr3t-token")));

        var result = await Runner.RunAsync(new PhaseTree("init", [phase]), WorkflowSelection.All, WorkflowFixtures.Context(redactor: redactor), CancellationToken.None);

        var all = string.Join('\n', result.Phases[0].Hosts.SelectMany(h => h.Details.Append(h.Error ?? string.Empty)));
        Assert.DoesNotContain("s3cr3t-token", all, StringComparison.Ordinal);
        Assert.Contains("cp1: kubeadm rejected [REDACTED]", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_interrupts_the_running_phase_and_says_which_phases_never_started()
    {
        using var cts = new CancellationTokenSource();
        var first = new TestPhase("preflight");
        var slow = new TestPhase("etcd", async (host, token) =>
        {
            if (host.Name == "cp1")
            {
                await cts.CancelAsync();
            }

            await Task.Delay(Timeout.Infinite, token);
            return PhaseResult.ChangedWith("never");
        }, role: HostRole.ControlPlane);
        var later = new TestPhase("wait");
        var tree = new PhaseTree("init", [first, slow, later]);

        var result = await Runner.RunAsync(tree, WorkflowSelection.All, WorkflowFixtures.Context(), cts.Token);

        Assert.True(result.Cancelled);
        Assert.False(result.Succeeded);
        Assert.Equal([PhaseState.Completed, PhaseState.Interrupted, PhaseState.NotStarted], result.Phases.Select(p => p.State));
        Assert.All(result.Phases[1].Hosts, h => Assert.Equal(HostPhaseStatus.Cancelled, h.Status));
        Assert.Contains("cp1: cancelled while etcd was running", result.Phases[1].Hosts.Select(h => h.Error));
        Assert.Empty(later.Ran);
        Assert.Contains(_observer.Events, e => e.Phase == "wait" && e.State == PhaseState.NotStarted);
    }

    [Fact]
    public async Task At_most_the_configured_number_of_hosts_run_at_once()
    {
        var running = 0;
        var peak = 0;
        var phase = new TestPhase("files", async (_, token) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await Task.Delay(30, token);
            Interlocked.Decrement(ref running);
            return PhaseResult.Unchanged();
        });
        var context = WorkflowFixtures.Context() with { Config = WorkflowFixtures.LabConfig with { SshConcurrency = 2 } };

        await Runner.RunAsync(new PhaseTree("init", [phase]), WorkflowSelection.All, context, CancellationToken.None);

        Assert.Equal(7, phase.Ran.Count);
        Assert.InRange(peak, 1, 2);
    }

    [Fact]
    public void Two_phases_at_the_same_path_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new PhaseTree("init", [new TestPhase("certs"), new TestPhase("certs")]));

        Assert.Contains("certs", error.Message, StringComparison.Ordinal);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
