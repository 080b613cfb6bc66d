using System.Runtime.CompilerServices;
using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;
using Serilog;

namespace Bootstrap.Core.Tests.Workflow;

/// <summary>
/// Plans made ahead of their phase's turn (<see cref="PlansAhead"/>), through the runner: on a cluster an earlier run recorded,
/// a run with nothing to do plans every later phase at once; a change, a refusal or a failure makes every later phase plan
/// again in its turn; a phase that reads an earlier plan's gathering is planned in its turn only.
/// </summary>
public sealed class PlansAheadTests
{
    /// <summary>Long enough for a plan that is started to be seen by another on a loaded machine; a run that needs it to pass is wrong.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly RecordingObserver _observer = new();

    /// <summary>The context of the run under test (a plan made ahead gets another).</summary>
    private PhaseContext? _run;

    [Fact]
    public async Task With_nothing_to_do_the_later_phases_are_planned_at_once_and_their_plans_taken()
    {
        // The second phase's plan finishes only once the third phase's plan has started: in turn, it never would.
        var thirdStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TestPhase("second", async (_, ct) =>
        {
            await thirdStarted.Task.WaitAsync(Patience, ct);
            return TargetPlan.Nothing("in place");
        }, HostRole.Worker);
        var third = new TestPhase("third", (_, _) =>
        {
            thirdStarted.TrySetResult();
            return Task.FromResult(TargetPlan.Nothing("in place"));
        }, HostRole.Worker);

        var result = await RunAsync([Nothing("first"), second, third], recorded: true);

        Assert.True(result.Succeeded, string.Join("; ", result.Phases.SelectMany(p => p.Hosts).Select(h => h.Error)));
        Assert.All(result.Phases.SelectMany(p => p.Hosts), h => Assert.Equal(HostPhaseStatus.Unchanged, h.Status));
        Assert.Equal(["w1", "w2"], second.Planned.Order());
        Assert.Equal(["w1", "w2"], third.Planned.Order());
        Assert.Equal(["in place"], result.Phases[1].Hosts[0].Details);
        Assert.Equal(["first", "second", "third"], _observer.Events.Where(e => e.Kind == WorkflowEventKind.PhaseStarted).Select(e => e.Phase));
    }

    [Fact]
    public async Task The_clusters_plans_ahead_do_not_wait_behind_the_hosts_plans_for_the_gate()
    {
        // One plan at a time (spec.ssh.concurrency 1), and a host's plan of the second phase and the cluster's plan of the third
        // each finish only once the other has started: behind one gate, whichever started first would give up waiting, and
        // its target be planned again.
        var hostStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clusterStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TestPhase("second", async (_, ct) =>
        {
            hostStarted.TrySetResult();
            await clusterStarted.Task.WaitAsync(Patience, ct);
            return TargetPlan.Nothing("in place");
        }, HostRole.Worker);
        var third = new ClusterPhase("third", async ct =>
        {
            clusterStarted.TrySetResult();
            await hostStarted.Task.WaitAsync(Patience, ct);
        });

        var result = await RunAsync([Nothing("first"), second, third], recorded: true, concurrency: 1);

        Assert.True(result.Succeeded, string.Join("; ", result.Phases.SelectMany(p => p.Hosts).Select(h => h.Error)));
        Assert.Equal(["w1", "w2"], second.Planned.Order());
        Assert.Equal(1, third.Planned);
        Assert.Equal(["in place"], result.Phases[1].Hosts[0].Details);
    }

    [Fact]
    public async Task Without_a_record_of_an_earlier_run_every_phase_plans_in_its_turn()
    {
        var thirdStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TestPhase("second", async (_, ct) =>
        {
            await thirdStarted.Task.WaitAsync(TimeSpan.FromMilliseconds(300), ct);
            return TargetPlan.Nothing();
        }, HostRole.Worker);
        var third = new TestPhase("third", (_, _) =>
        {
            thirdStarted.TrySetResult();
            return Task.FromResult(TargetPlan.Nothing());
        }, HostRole.Worker);

        var result = await RunAsync([Nothing("first"), second, third], recorded: false);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Phases[1].Hosts, h => h.Error?.Contains("timed out", StringComparison.OrdinalIgnoreCase) == true);
        Assert.Empty(third.Planned);
    }

    [Fact]
    public async Task A_change_in_an_earlier_phase_makes_every_later_phase_plan_again_in_its_turn_and_see_it()
    {
        var installed = 0;
        var laterPlans = 0;
        var laterPlannedAhead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        TestPhase? first = null;
        first = new TestPhase("first", async (host, ct) =>
        {
            // The later phase's plans (both targets') are made ahead before this change is applied: plans that must not be taken.
            await laterPlannedAhead.Task.WaitAsync(Patience, ct);
            return first!.Changed(host, "install", _ =>
            {
                Interlocked.Exchange(ref installed, 1);
                return Task.CompletedTask;
            });
        }, HostRole.Worker);
        TestPhase? later = null;
        later = new TestPhase("later", (host, _) =>
        {
            var plan = Volatile.Read(ref installed) == 1 ? later!.Changed(host, "configure what was installed") : TargetPlan.Nothing("nothing installed");
            if (Interlocked.Increment(ref laterPlans) == 2)
            {
                laterPlannedAhead.TrySetResult();
            }

            return Task.FromResult(plan);
        }, HostRole.Worker);

        var result = await RunAsync([Nothing("preflight"), first, later], recorded: true);

        Assert.True(result.Succeeded, string.Join("; ", result.Phases.SelectMany(p => p.Hosts).Select(h => h.Error)));
        Assert.Equal(["w1", "w2"], first.Ran.Order());
        Assert.Equal(["w1", "w2"], later.Ran.Order());
        Assert.Equal(["w1", "w1", "w2", "w2"], later.Planned.Order());
        Assert.All(result.Phases[2].Hosts, h => Assert.Equal(HostPhaseStatus.Changed, h.Status));
    }

    [Fact]
    public async Task In_a_dry_run_a_change_planned_earlier_makes_the_later_phases_plan_again_in_their_turn()
    {
        // The early phase changes something once the later phase was planned ahead on both targets (not the first of them: under
        // load the other would still be waiting when the change stops the plans ahead, and be planned only in its turn).
        var laterPlannedAhead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var laterPlans = 0;
        var early = new TestPhase("early", async (host, ct) =>
        {
            await laterPlannedAhead.Task.WaitAsync(Patience, ct);
            return new TestPhase("x").Changed(host, "a file the later phase reads");
        }, HostRole.Worker);
        var later = new TestPhase("later", (_, _) =>
        {
            if (Interlocked.Increment(ref laterPlans) == 2)
            {
                laterPlannedAhead.TrySetResult();
            }

            return Task.FromResult(TargetPlan.Nothing());
        }, HostRole.Worker);

        var result = await RunAsync([Nothing("preflight"), early, later], recorded: true, dryRun: true);

        Assert.True(result.Succeeded);
        Assert.All(result.Phases[1].Hosts, h => Assert.Equal(HostPhaseStatus.Changed, h.Status));
        Assert.Empty(early.Ran);
        Assert.Equal(["w1", "w1", "w2", "w2"], later.Planned.Order());
    }

    [Fact]
    public async Task A_plan_made_ahead_that_failed_is_made_again_in_the_turn()
    {
        var triedAhead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failsAhead = new AheadFailsPhase(triedAhead, () => _run);
        var waits = new TestPhase("preflight", async (_, ct) =>
        {
            await triedAhead.Task.WaitAsync(Patience, ct);
            return TargetPlan.Nothing();
        }, HostRole.Worker);

        var result = await RunAsync([waits, failsAhead], recorded: true);

        Assert.True(result.Succeeded, string.Join("; ", result.Phases.SelectMany(p => p.Hosts).Select(h => h.Error)));
        Assert.Equal(["in place"], result.Phases[1].Hosts.Single().Details);
        Assert.Equal((1, 1), (failsAhead.Ahead, failsAhead.InTurn));
    }

    [Fact]
    public async Task A_phase_that_gathers_for_a_later_plan_and_the_phase_that_reads_it_are_planned_in_their_turn_in_the_runs_context()
    {
        var gathered = new ConditionalWeakTable<PhaseContext, StrongBox<int>>();
        var gathers = new InTurnPhase("versions", context => Interlocked.Increment(ref gathered.GetOrCreateValue(context).Value));
        var seen = new List<int>();
        var reads = new InTurnPhase("skew", context =>
        {
            lock (seen)
            {
                seen.Add(gathered.TryGetValue(context, out var count) ? count.Value : 0);
            }
        });

        var result = await RunAsync([Nothing("preflight"), gathers, reads, Nothing("certs")], recorded: true);

        Assert.True(result.Succeeded);
        Assert.Equal([1], seen);
    }

    [Fact]
    public async Task A_check_that_only_reads_runs_with_its_plan_ahead_and_the_others_in_the_turn()
    {
        var checkedIn = new List<(string Check, bool Ahead)>();
        var bothCheckedAhead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        TargetPlan Checked(string check, bool readsOnly) => new()
        {
            VerifyReadsOnly = readsOnly,
            Verify = (apply, _) =>
            {
                lock (checkedIn)
                {
                    checkedIn.Add((check, apply.Run != _run));
                    if (checkedIn.Count(c => c.Ahead) == 2)
                    {
                        bothCheckedAhead.TrySetResult();
                    }
                }

                return Task.FromResult<IReadOnlyList<string>>([check + " is healthy"]);
            },
        };
        var health = new TestPhase("health", (_, _) => Task.FromResult(Checked("etcd", readsOnly: true)), HostRole.Worker);
        var uncordon = new TestPhase("uncordon", (_, _) => Task.FromResult(Checked("kubelet", readsOnly: false)), HostRole.Worker);

        var result = await RunAsync([WaitsFor("preflight", bothCheckedAhead), health, uncordon], recorded: true);

        Assert.True(result.Succeeded, string.Join("; ", result.Phases.SelectMany(p => p.Hosts).Select(h => h.Error)));
        Assert.Equal([("etcd", true), ("etcd", true), ("kubelet", false), ("kubelet", false)], checkedIn.Order());
        Assert.All(result.Phases[1].Hosts, h => Assert.Equal(["etcd is healthy"], h.Details));
        Assert.All(result.Phases[2].Hosts, h => Assert.Equal(["kubelet is healthy"], h.Details));
    }

    [Fact]
    public async Task A_check_that_fails_ahead_is_planned_and_checked_again_in_the_turn()
    {
        var checks = new List<bool>();
        var bothCheckedAhead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var health = new TestPhase("health", (_, _) => Task.FromResult(new TargetPlan
        {
            VerifyReadsOnly = true,
            Verify = (apply, _) =>
            {
                var ahead = apply.Run != _run;
                lock (checks)
                {
                    checks.Add(ahead);
                    if (checks.Count(c => c) == 2)
                    {
                        bothCheckedAhead.TrySetResult();
                    }
                }

                return ahead ? throw new PhaseFailedException("not healthy yet") : Task.FromResult<IReadOnlyList<string>>(["healthy"]);
            },
        }), HostRole.Worker);

        var result = await RunAsync([WaitsFor("preflight", bothCheckedAhead), health], recorded: true);

        Assert.True(result.Succeeded, string.Join("; ", result.Phases.SelectMany(p => p.Hosts).Select(h => h.Error)));
        Assert.Equal([false, false, true, true], checks.Order());
        Assert.Equal(4, health.Planned.Count);
    }

    [Fact]
    public async Task A_check_that_would_wait_gives_up_ahead_at_its_first_sleep_and_waits_in_its_turn()
    {
        // A component that is not there yet (etcd stopped on a host, an API server that lost its etcd): the check made ahead
        // polls once and stops at its first sleep; waiting is the turn's. The first phase finishes only once both checks made
        // ahead ended: had one slept its way through the polls, it would have held its place at the gate (and the run) that long.
        var aheadPolls = new List<string>();
        var bothEndedAhead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var endedAhead = 0;
        var health = new TestPhase("health", (host, _) => Task.FromResult(new TargetPlan
        {
            VerifyReadsOnly = true,
            Verify = async (apply, ct) =>
            {
                var ahead = apply.Run != _run;
                try
                {
                    using var wait = apply.Waiting.Begin();
                    var deadline = DateTime.UtcNow + (2 * Patience);
                    while (ahead)
                    {
                        lock (aheadPolls)
                        {
                            aheadPolls.Add(host);
                        }

                        if (DateTime.UtcNow > deadline)
                        {
                            throw new PhaseFailedException("not healthy");
                        }

                        await wait.DelayAsync(TimeSpan.FromMilliseconds(50), ct);
                    }

                    return ["healthy"];
                }
                finally
                {
                    if (ahead && Interlocked.Increment(ref endedAhead) == 2)
                    {
                        bothEndedAhead.TrySetResult();
                    }
                }
            },
        }), HostRole.Worker);

        var result = await RunAsync([WaitsFor("preflight", bothEndedAhead), health], recorded: true);

        Assert.True(result.Succeeded, string.Join("; ", result.Phases.SelectMany(p => p.Hosts).Select(h => h.Error)));
        Assert.Equal(["w1", "w2"], aheadPolls.Order());
        Assert.All(result.Phases[1].Hosts, h => Assert.Equal(["healthy"], h.Details));
        Assert.Equal(4, health.Planned.Count);
    }

    [Fact]
    public async Task A_preparing_phases_work_on_the_workstation_is_planned_ahead_and_taken_when_it_changes_nothing()
    {
        var preparedAhead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var prepare = new PreparingPhase(() => _run, preparedAhead);
        var result = await RunAsync([WaitsFor("preflight", preparedAhead), prepare], recorded: true);

        Assert.True(result.Succeeded, string.Join("; ", result.Phases.SelectMany(p => p.Hosts).Select(h => h.Error)));
        Assert.Equal(["workstation", "w1", "w2"], result.Phases[1].Hosts.Select(h => h.Host));
        Assert.Equal(["state in place"], result.Phases[1].Hosts[0].Details);
        Assert.Equal((1, 0), (prepare.Ahead, prepare.InTurn));
    }

    [Fact]
    public async Task A_host_outside_the_file_that_a_plan_ahead_was_connecting_to_when_a_change_stopped_it_ends_the_run_cleanly()
    {
        // The lab's etcd shrink: the membership phase, planned ahead, connects to the removed member's host; a change in an earlier
        // phase stops the plans ahead while that connect is under way. The run then ended with the cancelled connect thrown out of
        // the context's disposal ("internal error"), although every phase had succeeded.
        var connector = new FirstConnectHangsConnector();
        var outside = WorkflowFixtures.LabConfig.Hosts[0] with { Name = "spare" };
        TestPhase? first = null;
        first = new TestPhase("first", async (host, ct) =>
        {
            await connector.FirstStarted.Task.WaitAsync(Patience, ct);
            return first!.Changed(host, "install");
        }, HostRole.Worker);
        var membership = new OutsidePhase(outside);

        var result = await RunAsync([Nothing("preflight"), first, membership], recorded: true, connector);

        Assert.True(result.Succeeded, string.Join("; ", result.Phases.SelectMany(p => p.Hosts).Select(h => h.Error)));
        Assert.True(connector.FirstCancelled, "the plan ahead's connect was not cancelled by the change");
        Assert.Equal(["reached spare"], result.Phases[2].Hosts[0].Details);
        Assert.True(connector.Connected.All(h => h.Disposed), "a connection to the outside host was left open");
    }

    [Fact]
    public void An_upgrades_versions_and_skew_are_planned_in_their_turn()
    {
        // versions gathers what the hosts run into the run's context and skew reads it there: made ahead, skew would read an
        // empty report and let a refused upgrade through (the lab's newer-kubelet step caught exactly that).
        Assert.IsAssignableFrom<IPlannedInTurn>(new Core.Phases.Upgrade.VersionsPhase());
        Assert.IsAssignableFrom<IPlannedInTurn>(new Core.Phases.Upgrade.SkewPhase(allowDowngrade: false));
    }

    /// <summary>A first phase that changes nothing once <paramref name="ahead"/> happened: what the test needs made ahead was.</summary>
    private static TestPhase WaitsFor(string name, TaskCompletionSource ahead) => new(name, async (_, ct) =>
    {
        await ahead.Task.WaitAsync(Patience, ct);
        return TargetPlan.Nothing();
    }, HostRole.Worker);

    private static TestPhase Nothing(string name) => new(name, (_, _) => Task.FromResult(TargetPlan.Nothing()), HostRole.Worker);

    private async Task<WorkflowResult> RunAsync(IReadOnlyList<IPhase> phases, bool recorded, IHostConnector? connector = null, bool dryRun = false, int? concurrency = null)
    {
        _run = null;
        var redactor = new SecretRedactor();
        var logger = new LoggerConfiguration().CreateLogger();
        var previous = new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<ReadKey>>>(StringComparer.Ordinal);
        if (recorded)
        {
            previous["w1"] = new Dictionary<string, IReadOnlyList<ReadKey>>(StringComparer.Ordinal) { ["first"] = [ReadKey.Command(["true"], sudo: false)] };
        }

        await using var reads = new ReadAhead(previous, redactor, logger, TimeProvider.System);
        var config = concurrency is { } limit ? WorkflowFixtures.LabConfig with { SshConcurrency = limit } : WorkflowFixtures.LabConfig;
        await using var context = _run = new PhaseContext
        {
            Config = config,
            Hosts = config.Hosts.ToDictionary(h => h.Name, IRemoteHost (h) => new FakeHost(h.Name), StringComparer.Ordinal),
            Redactor = redactor,
            Logger = logger,
            DryRun = dryRun,
            ManifestPath = Path.Combine(Path.GetTempPath(), "bootstrap-core-tests", "installed-files"),
            Reads = reads,
            Connector = connector,
        };
        return await new WorkflowRunner(_observer).RunAsync(new PhaseTree("init", phases), WorkflowSelection.All, context, CancellationToken.None);
    }

    /// <summary>A preparing phase on the workers whose workstation part changes nothing; it counts where that part was planned.</summary>
    private sealed class PreparingPhase(Func<PhaseContext?> run, TaskCompletionSource preparedAhead) : IPreparingPhase
    {
        private int _ahead;
        private int _inTurn;

        public int Ahead => Volatile.Read(ref _ahead);

        public int InTurn => Volatile.Read(ref _inTurn);

        public string Name => "certs";

        public string Description => "completes the state, then installs";

        public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config) => PhaseTarget.Of(config.Hosts.Where(h => h.HasRole(HostRole.Worker)));

        public Task<TargetPlan> PrepareAsync(PhaseContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref context == run() ? ref _inTurn : ref _ahead);
            if (context != run())
            {
                preparedAhead.TrySetResult();
            }

            return Task.FromResult(TargetPlan.Nothing("state in place"));
        }

        public Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken) => Task.FromResult(TargetPlan.Nothing());
    }

    /// <summary>A phase on the cluster whose plan changes nothing; it counts its plans and awaits <paramref name="planning"/> in each.</summary>
    private sealed class ClusterPhase(string name, Func<CancellationToken, Task> planning) : ILeafPhase
    {
        private int _planned;

        public int Planned => Volatile.Read(ref _planned);

        public string Name => name;

        public string Description => "reads the API";

        public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config) => [PhaseTarget.Cluster];

        public async Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _planned);
            await planning(cancellationToken);
            return TargetPlan.Nothing("in place");
        }
    }

    /// <summary>A phase on the cluster whose plan fails when made ahead (in another context than the run's), and changes nothing in its turn.</summary>
    private sealed class AheadFailsPhase(TaskCompletionSource tried, Func<PhaseContext?> run) : ILeafPhase
    {
        private int _ahead;
        private int _inTurn;

        public int Ahead => Volatile.Read(ref _ahead);

        public int InTurn => Volatile.Read(ref _inTurn);

        public string Name => "flaky";

        public string Description => "fails ahead of its turn";

        public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config) => [PhaseTarget.Cluster];

        public Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
        {
            if (context != run())
            {
                Interlocked.Increment(ref _ahead);
                tried.TrySetResult();
                throw new InvalidOperationException("the API did not answer yet");
            }

            Interlocked.Increment(ref _inTurn);
            return Task.FromResult(TargetPlan.Nothing("in place"));
        }
    }

    /// <summary>A phase on the cluster whose plan reaches a host outside the file (as etcd membership reaches a removed member's host).</summary>
    private sealed class OutsidePhase(HostSpec outside) : ILeafPhase
    {
        public string Name => "membership";

        public string Description => "reaches a host outside the file";

        public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config) => [PhaseTarget.Cluster];

        public async Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
        {
            var (view, error) = await context.OutsideAsync(outside, cancellationToken);
            return view is null ? throw new InvalidOperationException(error) : TargetPlan.Nothing("reached " + outside.Name);
        }
    }

    /// <summary>A phase on the cluster that gathers into, or reads from, the run's context while it plans (<see cref="IPlannedInTurn"/>).</summary>
    private sealed class InTurnPhase(string name, Action<PhaseContext> plan) : IPlannedInTurn
    {
        public string Name => name;

        public string Description => "gathers or reads in the run's context";

        public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config) => [PhaseTarget.Cluster];

        public Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
        {
            plan(context);
            return Task.FromResult(TargetPlan.Nothing());
        }
    }
}
