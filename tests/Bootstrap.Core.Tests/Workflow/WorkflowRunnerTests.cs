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
    public async Task Each_change_is_reported_as_a_typed_record_before_its_host_finishes()
    {
        var phase = new TestPhase("files", role: HostRole.Worker);

        var result = await Runner.RunAsync(new PhaseTree("init", [phase]), WorkflowSelection.All, WorkflowFixtures.Context(), CancellationToken.None);

        var w1 = result.Phases.Single().Hosts.Single(h => h.Host == "w1");
        var change = Assert.Single(w1.Changes);
        Assert.Equal(("w1", ChangeKind.FileCreate, "did files", "file-create"), (change.Host, change.Kind, change.Target, change.KindName));
        Assert.Equal(["created did files"], w1.Details);
        var events = _observer.Events.Where(e => e.Host == "w1").ToList();
        Assert.Equal([WorkflowEventKind.Change, WorkflowEventKind.HostFinished], events.Select(e => e.Kind));
        Assert.Equal("did files", events[0].Change!.Target);
    }

    [Fact]
    public async Task A_dry_run_reports_the_changes_and_applies_none()
    {
        var phase = new TestPhase("files");

        var result = await Runner.RunAsync(new PhaseTree("plan", [phase]), WorkflowSelection.All, WorkflowFixtures.Context(dryRun: true), CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(7, phase.Planned.Count);
        Assert.Empty(phase.Ran);
        var cp1 = result.Phases.Single().Hosts.Single(h => h.Host == "cp1");
        Assert.Equal(HostPhaseStatus.Changed, cp1.Status);
        Assert.Equal(["would create did files"], cp1.Details);
        Assert.Single(cp1.Changes);
    }

    [Fact]
    public void A_dry_run_cannot_make_a_context_that_applies()
    {
        var context = WorkflowFixtures.Context(dryRun: true);

        Assert.Throws<InvalidOperationException>(() => new ApplyContext(context, context.Hosts));
    }

    [Fact]
    public async Task Skip_phases_skips_a_group_with_everything_under_it_and_reports_it_skipped()
    {
        var (tree, first, ca, apiServer, last) = Tree();

        var result = await Runner.RunAsync(tree, new WorkflowSelection { Skip = ["certs"] }, WorkflowFixtures.Context(), CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Empty(ca.Planned);
        Assert.Empty(apiServer.Planned);
        Assert.Equal(7, first.Ran.Count);
        Assert.Equal(2, last.Ran.Count);
        Assert.Equal(PhaseState.Skipped, result.Phases.Single(p => p.Path == "certs/ca").State);
        Assert.Contains(_observer.Events, e => e.Phase == "certs/apiserver" && e.Kind == WorkflowEventKind.PhaseFinished && e.State == PhaseState.Skipped);
    }

    [Fact]
    public async Task Phases_know_while_they_plan_which_leaves_the_run_applies_and_skipped_ones_are_not_among_them()
    {
        var (tree, first, ca, apiServer, last) = Tree();
        await using var context = WorkflowFixtures.Context();

        await Runner.RunAsync(tree, new WorkflowSelection { Skip = ["certs/ca"] }, context, CancellationToken.None);

        Assert.Equal<ILeafPhase>([first, apiServer, last], context.Leaves);
        Assert.True(context.Runs<TestPhase>());
    }

    [Fact]
    public async Task Only_a_single_leaf_path_runs_that_phase_alone()
    {
        var (tree, first, ca, apiServer, last) = Tree();

        var result = await Runner.RunAsync(tree, new WorkflowSelection { Only = "certs/apiserver" }, WorkflowFixtures.Context(), CancellationToken.None);

        Assert.Equal(["certs/apiserver"], result.Phases.Select(p => p.Path));
        Assert.Equal(3, apiServer.Ran.Count);
        Assert.Empty(first.Planned);
        Assert.Empty(ca.Planned);
        Assert.Empty(last.Planned);
    }

    [Fact]
    public async Task Only_a_group_path_runs_its_children_in_order()
    {
        var (tree, first, _, _, _) = Tree();

        var result = await Runner.RunAsync(tree, new WorkflowSelection { Only = "/Certs/" }, WorkflowFixtures.Context(), CancellationToken.None);

        Assert.Equal(["certs/ca", "certs/apiserver"], result.Phases.Select(p => p.Path));
        Assert.Empty(first.Planned);
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
        Assert.Empty(first.Planned);
        Assert.Empty(_observer.Events);
    }

    [Fact]
    public async Task Targets_already_as_wanted_report_no_change_with_their_notes()
    {
        var phase = new TestPhase("files", (host, _) => Task.FromResult(host == "cp2" ? TargetPlan.Nothing("same hash") : new TestPhase("x").Changed(host, "did files")));
        var tree = new PhaseTree("init", [phase]);

        var result = await Runner.RunAsync(tree, WorkflowSelection.All, WorkflowFixtures.Context(), CancellationToken.None);

        var hosts = result.Phases.Single().Hosts.ToDictionary(h => h.Host);
        Assert.Equal(HostPhaseStatus.Unchanged, hosts["cp2"].Status);
        Assert.Equal(["same hash"], hosts["cp2"].Details);
        Assert.True(hosts["cp1"].Changed);
        Assert.False(_observer.Events.Single(e => e.Kind == WorkflowEventKind.HostFinished && e.Host == "cp2").Changed);
        Assert.True(_observer.Events.Single(e => e.Kind == WorkflowEventKind.PhaseFinished).Changed);
    }

    [Fact]
    public async Task An_error_on_one_host_names_it_keeps_the_other_hosts_results_and_stops_later_phases()
    {
        TestPhase? broken = null;
        broken = new TestPhase("etcd", (host, _) => Task.FromResult(broken!.Changed(host, "etcd.service", host == "cp2"
            ? _ => throw new InvalidOperationException("etcd did not start")
            : null)), role: HostRole.ControlPlane);
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
        Assert.Empty(later.Planned);
        Assert.Equal("cp2: etcd did not start", _observer.Events.Single(e => e.Kind == WorkflowEventKind.PhaseFinished && e.Phase == "etcd").Error);
    }

    /// <summary>A change of cp1 named <paramref name="name"/>, applied side by side or not, that runs <paramref name="apply"/>.</summary>
    private static Change Step(string name, bool sideBySide, Func<Task> apply, ChangeKind kind = ChangeKind.FileCreate, bool beginsRun = false) => new()
    {
        Host = "cp1",
        Kind = kind,
        Target = name,
        SideBySide = sideBySide,
        BeginsRun = beginsRun,
        Apply = async (_, _) =>
        {
            await apply();
            return [];
        },
    };

    /// <summary>Adds <paramref name="what"/> to <paramref name="log"/>, from any thread.</summary>
    private static void Append(List<string> log, string what)
    {
        lock (log)
        {
            log.Add(what);
        }
    }

    private async Task<HostPhaseOutcome> ApplyOnCp1Async(params Change[] changes)
    {
        var phase = new TestPhase("files", (host, _) => Task.FromResult(host == "cp1" ? new TargetPlan { Changes = changes } : TargetPlan.Nothing()), HostRole.ControlPlane);
        var result = await Runner.RunAsync(new PhaseTree("init", [phase]), WorkflowSelection.All, WorkflowFixtures.Context(), CancellationToken.None);
        return result.Phases.Single().Hosts.Single(h => h.Host == "cp1");
    }

    [Fact]
    public async Task Changes_that_may_go_side_by_side_are_applied_together_and_reported_in_the_plans_order()
    {
        var log = new List<string>();
        void Log(string what) => Append(log, what);

        // Each of a and b waits for the other to start: one after the other, a would give up after 30 s.
        var (aStarted, bStarted) = (new TaskCompletionSource(), new TaskCompletionSource());
        var cp1 = await ApplyOnCp1Async(
            Step("a", true, async () => { aStarted.SetResult(); await bStarted.Task.WaitAsync(TimeSpan.FromSeconds(30)); Log("a"); }),
            Step("b", true, async () => { bStarted.SetResult(); await aStarted.Task.WaitAsync(TimeSpan.FromSeconds(30)); Log("b"); }),
            Step("c", true, () => { Log("c"); return Task.CompletedTask; }),
            Step("restart", false, () => { Log("restart"); return Task.CompletedTask; }),
            Step("d", true, () => { Log("d"); return Task.CompletedTask; }));

        Assert.Equal(HostPhaseStatus.Changed, cp1.Status);
        Assert.Equal(["created a", "created b", "created c", "created restart", "created d"], cp1.Details);
        Assert.Equal(["a", "b", "c"], log.Take(3).Order());
        Assert.Equal(["restart", "d"], log.Skip(3));
    }

    [Fact]
    public async Task A_change_that_begins_a_run_waits_for_the_run_before_it_and_the_side_by_side_changes_after_it_join_it()
    {
        var log = new List<string>();
        void Log(string what) => Append(log, what);

        // Within each run, each of the two waits for the other to start (they go together); "in a" would start at once,
        // before "stage b" ends, if it joined the first run.
        var (stageA, stageB, inA, inB) = (new TaskCompletionSource(), new TaskCompletionSource(), new TaskCompletionSource(), new TaskCompletionSource());
        var cp1 = await ApplyOnCp1Async(
            Step("stage a", true, async () => { stageA.SetResult(); await stageB.Task.WaitAsync(TimeSpan.FromSeconds(30)); Log("stage a"); }),
            Step("stage b", true, async () => { stageB.SetResult(); await stageA.Task.WaitAsync(TimeSpan.FromSeconds(30)); await Task.Delay(50); Log("stage b"); }),
            Step("in a", true, async () => { inA.SetResult(); await inB.Task.WaitAsync(TimeSpan.FromSeconds(30)); Log("in a"); }, beginsRun: true),
            Step("in b", true, async () => { inB.SetResult(); await inA.Task.WaitAsync(TimeSpan.FromSeconds(30)); Log("in b"); }));

        Assert.Equal(HostPhaseStatus.Changed, cp1.Status);
        Assert.Equal(["stage a", "stage b"], log.Take(2).Order());
        Assert.Equal(["in a", "in b"], log.Skip(2).Order());
        Assert.Equal(["created stage a", "created stage b", "created in a", "created in b"], cp1.Details);
    }

    [Fact]
    public async Task A_nodes_evictions_end_before_its_side_by_side_writes_begin()
    {
        var log = new List<string>();
        void Log(string what) => Append(log, what);

        // Each eviction waits for the other to start (they go together); the write would start at once if it joined them.
        var (aStarted, bStarted) = (new TaskCompletionSource(), new TaskCompletionSource());
        var cp1 = await ApplyOnCp1Async(
            Step("pod a", true, async () => { aStarted.SetResult(); await bStarted.Task.WaitAsync(TimeSpan.FromSeconds(30)); await Task.Delay(50); Log("pod a"); }, ChangeKind.ApiDelete),
            Step("pod b", true, async () => { bStarted.SetResult(); await aStarted.Task.WaitAsync(TimeSpan.FromSeconds(30)); await Task.Delay(50); Log("pod b"); }, ChangeKind.ApiDelete),
            Step("kubelet config", true, () => { Log("kubelet config"); return Task.CompletedTask; }));

        Assert.Equal(HostPhaseStatus.Changed, cp1.Status);
        Assert.Equal(["pod a", "pod b"], log.Take(2).Order());
        Assert.Equal("kubelet config", log[2]);
    }

    [Fact]
    public async Task At_most_the_limit_of_side_by_side_changes_run_at_once()
    {
        var (running, most, started) = (0, 0, 0);
        var full = new TaskCompletionSource();
        var cp1 = await ApplyOnCp1Async([.. Enumerable.Range(0, 3 * WorkflowRunner.SideBySideLimit).Select(i => Step($"f{i}", true, async () =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            if (Interlocked.Increment(ref started) == WorkflowRunner.SideBySideLimit)
            {
                full.SetResult();
            }

            // The first ones wait until the limit is reached: they all run at once.
            await full.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Interlocked.Decrement(ref running);
        }))]);

        Assert.Equal(HostPhaseStatus.Changed, cp1.Status);
        Assert.Equal(3 * WorkflowRunner.SideBySideLimit, cp1.Details.Count);
        Assert.Equal(WorkflowRunner.SideBySideLimit, most);
    }

    [Fact]
    public async Task After_a_side_by_side_change_fails_none_starts_and_the_first_failure_in_the_plans_order_is_reported()
    {
        var later = 0;
        var failing = Enumerable.Range(0, WorkflowRunner.SideBySideLimit).Select(i => Step($"f{i}", true, () => throw new IOException($"f{i} failed")));
        var after = Enumerable.Range(0, 2).Select(i => Step($"later{i}", true, () => { Interlocked.Increment(ref later); return Task.CompletedTask; }));

        var cp1 = await ApplyOnCp1Async([.. failing, .. after]);

        Assert.Equal(HostPhaseStatus.Error, cp1.Status);
        Assert.Equal("cp1: f0 failed", cp1.Error);
        Assert.Equal(0, later);
        Assert.Empty(cp1.Changes);
    }

    [Fact]
    public async Task The_side_by_side_changes_that_were_applied_before_one_failed_are_reported_as_applied()
    {
        // b fails once c has started: c is applied, and reported, although b comes first.
        var cStarted = new TaskCompletionSource();
        var cp1 = await ApplyOnCp1Async(
            Step("a", true, () => Task.CompletedTask),
            Step("b", true, async () =>
            {
                await cStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
                throw new IOException("b failed");
            }),
            Step("c", true, () =>
            {
                cStarted.SetResult();
                return Task.CompletedTask;
            }));

        Assert.Equal(HostPhaseStatus.Error, cp1.Status);
        Assert.Equal("cp1: b failed", cp1.Error);
        Assert.Equal(["a", "c"], cp1.Changes.Select(c => c.Target));
        Assert.Equal(["created a", "created c"], cp1.Details);
    }

    [Fact]
    public async Task The_changes_of_a_run_that_name_one_batch_are_handed_to_it_together_and_reported_in_the_plans_order()
    {
        var log = new List<string>();
        var batch = new RecordingBatch(failing: null);
        var cp1 = await ApplyOnCp1Async(
            Step("a", true, () => throw new InvalidOperationException("a is the batch's")) with { Together = batch },
            Step("b", true, () => { Append(log, "b"); return Task.CompletedTask; }),
            Step("c", true, () => throw new InvalidOperationException("c is the batch's")) with { Together = batch },
            Step("restart", false, () => { Append(log, "restart"); return Task.CompletedTask; }),
            // Alone in its run: applied by its own Apply, never handed to the batch.
            Step("d", true, () => { Append(log, "d"); return Task.CompletedTask; }) with { Together = batch });

        Assert.Equal(HostPhaseStatus.Changed, cp1.Status);
        Assert.Equal([["a", "c"]], batch.Calls);
        Assert.Equal(["b", "restart", "d"], log);
        Assert.Equal(["created a", "batched a", "created b", "created c", "batched c", "created restart", "created d"], cp1.Details);
    }

    [Fact]
    public async Task A_batch_that_fails_part_way_reports_what_it_made_and_its_failure()
    {
        var batch = new RecordingBatch(failing: "b");
        var cp1 = await ApplyOnCp1Async(
            Step("a", true, () => Task.CompletedTask) with { Together = batch },
            Step("b", true, () => Task.CompletedTask) with { Together = batch },
            Step("c", true, () => Task.CompletedTask) with { Together = batch });

        Assert.Equal(HostPhaseStatus.Error, cp1.Status);
        Assert.Equal("cp1: b was not written", cp1.Error);
        Assert.Equal(["a", "c"], cp1.Changes.Select(c => c.Target));
    }

    /// <summary>A batch that records the targets it was handed and applies each (but <paramref name="failing"/>), with one report line.</summary>
    private sealed class RecordingBatch(string? failing) : IChangeBatch
    {
        public List<IReadOnlyList<string>> Calls { get; } = [];

        public Task ApplyAsync(IReadOnlyList<Change> changes, ApplyContext apply, Action<int, IReadOnlyList<string>> applied, CancellationToken cancellationToken)
        {
            lock (Calls)
            {
                Calls.Add([.. changes.Select(c => c.Target)]);
            }

            for (var i = 0; i < changes.Count; i++)
            {
                if (changes[i].Target != failing)
                {
                    applied(i, ["batched " + changes[i].Target]);
                }
            }

            return failing is null ? Task.CompletedTask : throw new IOException(failing + " was not written");
        }
    }

    [Fact]
    public async Task A_refused_target_keeps_its_notes_fails_the_phase_and_no_target_of_that_phase_is_changed()
    {
        var phase = new TestPhase("preflight", (host, _) => Task.FromResult(host == "w1"
            ? TargetPlan.Refuse("[ERROR Swap]: swap is on", "[ERROR Swap]: swap is on", "[OK NumCPU]")
            : new TestPhase("x").Changed(host, "would have changed")));

        var result = await Runner.RunAsync(new PhaseTree("init", [phase]), WorkflowSelection.All, WorkflowFixtures.Context(), CancellationToken.None);

        var hosts = result.Phases[0].Hosts.ToDictionary(h => h.Host);
        Assert.Equal(HostPhaseStatus.Failed, hosts["w1"].Status);
        Assert.Equal("w1: [ERROR Swap]: swap is on", hosts["w1"].Error);
        Assert.Equal(2, hosts["w1"].Details.Count);
        Assert.Equal(HostPhaseStatus.Failed, hosts["cp1"].Status);
        Assert.Contains("not changed", hosts["cp1"].Error, StringComparison.Ordinal);
        Assert.Empty(hosts["cp1"].Changes);
        Assert.Equal(PhaseState.Failed, result.Phases[0].State);
    }

    [Fact]
    public async Task Rolling_targets_take_turns_one_at_a_time()
    {
        var inside = 0;
        var peak = 0;
        TestPhase? phase = null;
        phase = new TestPhase("apiserver", (host, _) => Task.FromResult(phase!.Changed(host, "restart", async ct =>
        {
            InterlockedMax(ref peak, Interlocked.Increment(ref inside));
            await Task.Delay(20, ct);
            Interlocked.Decrement(ref inside);
        }, rolling: true)), role: HostRole.ControlPlane);

        var result = await Runner.RunAsync(new PhaseTree("init", [phase]), WorkflowSelection.All, WorkflowFixtures.Context(), CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(3, phase.Ran.Count);
        Assert.Equal(1, peak);
    }

    [Fact]
    public async Task Turns_come_in_the_phases_roll_order_then_in_cluster_file_order()
    {
        TestPhase? phase = null;
        phase = new TestPhase("etcd", (host, _) => Task.FromResult(phase!.Changed(host, "restart etcd", rolling: true) with { RollOrder = host == "cp1" ? 1 : 0 }), role: HostRole.ControlPlane);

        await Runner.RunAsync(new PhaseTree("init", [phase]), WorkflowSelection.All, WorkflowFixtures.Context(), CancellationToken.None);

        Assert.Equal(["cp2", "cp3", "cp1"], phase.Ran);
    }

    [Fact]
    public async Task A_roll_stops_at_the_first_failed_turn_and_later_hosts_keep_what_they_run()
    {
        var entered = new List<string>();
        TestPhase? phase = null;
        phase = new TestPhase("apiserver", (host, _) => Task.FromResult(phase!.Changed(host, "restart kube-apiserver", ct =>
        {
            lock (entered)
            {
                entered.Add(host);
                if (entered.Count == 1)
                {
                    throw new PhaseFailedException($"{host}: kube-apiserver is not healthy after 180 s (journal: unknown flag --bad)");
                }
            }

            return Task.CompletedTask;
        }, rolling: true)), role: HostRole.ControlPlane);
        var later = new TestPhase("scheduler");

        var result = await Runner.RunAsync(new PhaseTree("init", [phase, later]), WorkflowSelection.All, WorkflowFixtures.Context(), CancellationToken.None);

        var failedHost = Assert.Single(entered);
        var hosts = result.Phases[0].Hosts.ToDictionary(h => h.Host);
        Assert.Equal(HostPhaseStatus.Failed, hosts[failedHost].Status);
        Assert.Contains("unknown flag --bad", hosts[failedHost].Error, StringComparison.Ordinal);
        foreach (var other in hosts.Keys.Where(h => h != failedHost))
        {
            Assert.Equal(HostPhaseStatus.Failed, hosts[other].Status);
            Assert.Contains($"still runs its current configuration: apiserver stopped rolling after {failedHost} failed", hosts[other].Error, StringComparison.Ordinal);
            Assert.Empty(hosts[other].Changes);
        }

        Assert.Empty(later.Planned);
    }

    [Fact]
    public async Task Errors_and_details_are_redacted()
    {
        var redactor = new SecretRedactor();
        redactor.Register("s3cr3t-token");
        var phase = new TestPhase("token", (host, _) => host == "cp1"
            ? throw new InvalidOperationException("kubeadm rejected s3cr3t-token")
            : Task.FromResult(TargetPlan.Nothing("found s3cr3t-token")));

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
        TestPhase? slow = null;
        slow = new TestPhase("etcd", (host, _) => Task.FromResult(slow!.Changed(host, "etcd.service", async token =>
        {
            if (host == "cp1")
            {
                await cts.CancelAsync();
            }

            await Task.Delay(Timeout.Infinite, token);
        })), role: HostRole.ControlPlane);
        var later = new TestPhase("wait");
        var tree = new PhaseTree("init", [first, slow, later]);

        var result = await Runner.RunAsync(tree, WorkflowSelection.All, WorkflowFixtures.Context(), cts.Token);

        Assert.True(result.Cancelled);
        Assert.False(result.Succeeded);
        Assert.Equal([PhaseState.Completed, PhaseState.Interrupted, PhaseState.NotStarted], result.Phases.Select(p => p.State));
        Assert.All(result.Phases[1].Hosts, h => Assert.Equal(HostPhaseStatus.Cancelled, h.Status));
        Assert.Contains("cp1: cancelled while etcd was running", result.Phases[1].Hosts.Select(h => h.Error));
        Assert.Empty(later.Planned);
        Assert.Contains(_observer.Events, e => e.Phase == "wait" && e.State == PhaseState.NotStarted);
    }

    [Fact]
    public async Task At_most_the_configured_number_of_hosts_are_read_at_once()
    {
        var running = 0;
        var peak = 0;
        var phase = new TestPhase("files", async (_, token) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            await Task.Delay(30, token);
            Interlocked.Decrement(ref running);
            return TargetPlan.Nothing();
        });
        var context = WorkflowFixtures.Context(config: WorkflowFixtures.LabConfig with { SshConcurrency = 2 });

        await Runner.RunAsync(new PhaseTree("init", [phase]), WorkflowSelection.All, context, CancellationToken.None);

        Assert.Equal(7, phase.Planned.Count);
        Assert.InRange(peak, 1, 2);
    }

    [Fact]
    public async Task A_preparing_phase_applies_its_workstation_changes_before_its_targets_are_planned()
    {
        var order = new List<string>();
        var phase = new PreparingTestPhase(order);

        var result = await Runner.RunAsync(new PhaseTree("init", [phase]), WorkflowSelection.All, WorkflowFixtures.Context(), CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(["prepare", "apply state", "plan cp1"], order.Take(3));
        Assert.Equal("workstation", result.Phases[0].Hosts[0].Host);
        Assert.Equal(["created ca in the cluster state"], result.Phases[0].Hosts[0].Details);
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

    private sealed class PreparingTestPhase(List<string> order) : IPreparingPhase
    {
        public string Name => "certs";

        public string Description => "a preparing test phase";

        public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config) => [PhaseTarget.Of(config.Hosts.Single(h => h.Name == "cp1"))];

        public Task<TargetPlan> PrepareAsync(PhaseContext context, CancellationToken cancellationToken)
        {
            order.Add("prepare");
            return Task.FromResult(TargetPlan.Of([new Change
            {
                Host = PhaseTarget.WorkstationName,
                Kind = ChangeKind.StateCreate,
                Target = "ca",
                Apply = (_, _) =>
                {
                    order.Add("apply state");
                    return Task.FromResult<IReadOnlyList<string>>([]);
                },
            }]));
        }

        public Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
        {
            order.Add("plan " + target.Name);
            return Task.FromResult(TargetPlan.Nothing());
        }
    }
}
