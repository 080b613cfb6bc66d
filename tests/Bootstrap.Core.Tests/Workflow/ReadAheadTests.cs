using System.Text;
using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Tests.Remote;
using Bootstrap.Core.Workflow;
using Serilog;

namespace Bootstrap.Core.Tests.Workflow;

/// <summary>
/// Reading each host once per run (<see cref="ReadAhead"/>), through the runner, with w1 a real host (LocalHost: the commands
/// and the batch session run for real) and a state directory of its own: the next run's plans get what the host returns,
/// from one session; never after a change, never twice in a phase; secrets stay out of the record; a bad record is no record.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ReadAheadTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bootstrap-read-ahead-").FullName;
    private readonly SecretRedactor _redactor = new();
    private readonly ILogger _logger = new LoggerConfiguration().CreateLogger();
    private readonly RecordingHost _w1;
    private PhaseContext? _context;

    public ReadAheadTests()
    {
        _w1 = new RecordingHost(new LocalHost("w1", _redactor, _logger));
        Directory.CreateDirectory(State);
    }

    private string State => Path.Combine(_root, "state");

    private string Record => Path.Combine(State, "cache", "reads.json");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task The_next_run_takes_every_read_of_its_plans_from_one_session_per_user_and_gets_what_the_host_returns()
    {
        var text = Write("hello.txt", "hello\n");
        var binary = Path.Combine(_root, "binary");
        await File.WriteAllBytesAsync(binary, [0, 0xff, 0xfe, (byte)'\n', (byte)'\r', 0x80]);
        var missing = Path.Combine(_root, "missing");
        var seen = new List<string>();
        var reads = Reads(async (view, ct) =>
        {
            var cat = await view.QueryAsync(new RemoteCommand(["cat", "--", text]), ct);
            var fails = await view.QueryAsync(new RemoteCommand(["cat", "--", missing], sudo: true), ct);
            var content = await view.ReadAsync(binary, ct);
            var none = await view.ReadAsync(missing, ct);
            seen.Add($"{cat} | {fails} | {Convert.ToHexString(content!)} | {none is null}");
        });

        await RunAsync(save: true, reads);
        _w1.Clear();
        await RunAsync(save: false, reads);

        Assert.Equal(2, seen.Count);
        Assert.Equal(seen[0], seen[1]);
        Assert.Contains("No such file or directory", seen[1], StringComparison.Ordinal);
        Assert.Contains("00FFFE0A0D80", seen[1], StringComparison.Ordinal);
        // One session as the login user (cat), one as root (the failing cat and both files), or a single one when the login user
        // is root (this test's host is this process's user): no read of its own.
        Assert.Equal(_w1.IsRoot ? 1 : 2, _w1.Commands.Count);
        Assert.All(_w1.Commands, c => Assert.True(CommandBatch.IsBatch(c)));
    }

    [Fact]
    public async Task The_phases_file_probes_run_as_one_probe_of_all_their_paths_and_each_gets_what_its_own_would_return()
    {
        var a = Write("a.conf", "a\n");
        var b = Write("b.conf", "bb\n");
        var missing = Path.Combine(_root, "missing.conf");
        var seen = new List<string>();
        TestPhase Probe(string name, params string[] paths) => Reads(async (view, ct) =>
        {
            var states = await view.FilesAsync(paths, ct);
            lock (seen)
            {
                seen.Add(name + ": " + string.Join(", ", paths.Select(p => $"{Path.GetFileName(p)}={states[p]?.Sha256[..8] ?? "none"}")));
            }
        }, name);

        await RunAsync(save: true, Probe("first", a, missing), Probe("second", b, a));
        _w1.Clear();
        await RunAsync(save: false, Probe("first", a, missing), Probe("second", b, a));

        Assert.Equal(4, seen.Count);
        // On a recorded cluster the second phase is planned ahead, beside the first: either may report first.
        Assert.Equal(seen[..2].Order(StringComparer.Ordinal), seen[2..].Order(StringComparer.Ordinal));
        // The next run: one session, in which one probe read both phases' files (their stat and the manifest).
        var session = Assert.Single(_w1.Commands);
        Assert.True(CommandBatch.IsBatch(session));
        Assert.Single(session.Argv, arg => arg == FileStat.Format);
    }

    [Fact]
    public async Task After_the_first_change_of_the_run_every_plan_reads_the_host_as_it_is_now()
    {
        var text = Write("config", "before\n");
        var seen = new List<string>();
        var reads = Reads(async (view, ct) => seen.Add((await view.QueryAsync(new RemoteCommand(["cat", "--", text]), ct)).Stdout));
        var changes = new TestPhase("changes", role: HostRole.Worker);
        var writes = new TestPhase("writes", (host, _) => Task.FromResult(host == "w1"
            ? changes.Changed(host, "rewrite the config", ct => File.WriteAllTextAsync(text, "after\n", ct))
            : TargetPlan.Nothing()), HostRole.Worker);

        await RunAsync(save: true, reads);
        _w1.Clear();
        await RunAsync(save: false, writes, reads);

        Assert.Equal(["before\n", "after\n"], seen);
        Assert.Contains(_w1.Commands, c => c.Argv is ["cat", "--", _]);
    }

    [Fact]
    public async Task A_read_the_record_lacks_is_made_on_the_host_once_for_two_phases_until_the_run_changes_something()
    {
        var text = Write("members", "three\n");
        var seen = new List<string>();
        TestPhase Members(string name) => Reads(async (view, ct) =>
        {
            var members = (await view.QueryAsync(new RemoteCommand(["cat", "--", text]), ct)).Stdout;
            var content = await view.ReadAsync(text, ct);
            lock (seen)
            {
                seen.Add($"{name}: {members.Trim()} {Encoding.UTF8.GetString(content!).Trim()}");
            }
        }, name);
        var changes = new TestPhase("changes", role: HostRole.Worker);
        var writes = new TestPhase("writes", (host, _) => Task.FromResult(host == "w1"
            ? changes.Changed(host, "a fourth member", ct => File.WriteAllTextAsync(text, "four\n", ct))
            : TargetPlan.Nothing()), HostRole.Worker);
        // The last run read something else: the next one has a record (its plans are made ahead) that lacks these reads.
        await RunAsync(save: true, Reads(async (view, ct) => await view.QueryAsync(new RemoteCommand(["echo", "other"]), ct), "first"));
        _w1.Clear();

        await RunAsync(save: false, Members("first"), Members("second"));
        var twoPhases = (Commands: _w1.Commands.Count(c => c.Argv is ["cat", "--", _]), Files: _w1.Downloads.Count);
        await RunAsync(save: false, Members("first"), writes, Members("third"));

        // The third phase may also have been planned ahead, before the change: that plan is dropped and made again after it.
        var last = seen.GroupBy(line => line.Split(':')[0], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        Assert.Equal(["first: three three", "second: three three", "third: four four"], last.Values.Order(StringComparer.Ordinal));
        // Two phases before any change: each read made on the host once.
        Assert.Equal((1, 1), twoPhases);
    }

    [Fact]
    public async Task A_phase_that_reads_again_reads_the_host_the_second_time()
    {
        var text = Write("status", "starting\n");
        var seen = new List<string>();
        var reads = Reads(async (view, ct) =>
        {
            seen.Add((await view.QueryAsync(new RemoteCommand(["cat", "--", text]), ct)).Stdout);
            await File.WriteAllTextAsync(text, "running\n", ct);
            seen.Add((await view.QueryAsync(new RemoteCommand(["cat", "--", text]), ct)).Stdout);
        });

        await RunAsync(save: true, reads);
        await File.WriteAllTextAsync(text, "starting\n");
        _w1.Clear();
        await RunAsync(save: false, reads);

        Assert.Equal(["starting\n", "running\n", "starting\n", "running\n"], seen);
        Assert.Single(_w1.Commands, c => c.Argv is ["cat", "--", _]);
    }

    [Fact]
    public async Task A_check_made_ahead_with_a_plan_that_changes_nothing_takes_its_first_poll_from_the_next_runs_snapshot_and_reads_the_host_after()
    {
        var status = Write("health", "ok\n");
        var polls = new List<string>();
        var health = new TestPhase("health", (host, _) => Task.FromResult(host != "w1" ? TargetPlan.Nothing() : new TargetPlan
        {
            VerifyReadsOnly = true,
            Verify = async (apply, ct) =>
            {
                // A wait's two polls: the second always reads the host.
                var first = await apply.Host("w1").RunAsync(new RemoteCommand(["cat", "--", status]), ct);
                await File.WriteAllTextAsync(status, "ok again\n", ct);
                var second = await apply.Host("w1").RunAsync(new RemoteCommand(["cat", "--", status]), ct);
                lock (polls)
                {
                    polls.Add(first.Stdout + second.Stdout);
                }

                return ["healthy"];
            },
        }), HostRole.Worker);
        var first = Reads(async (view, ct) => await view.QueryAsync(new RemoteCommand(["echo", "first"]), ct), "first");

        // No record yet: the check runs in its turn. Then with a record: ahead, recorded. Then its first poll comes from the snapshot.
        for (var run = 0; run < 3; run++)
        {
            await File.WriteAllTextAsync(status, "ok\n");
            _w1.Clear();
            await RunAsync(save: true, first, health);
        }

        Assert.Equal(["ok\nok again\n", "ok\nok again\n", "ok\nok again\n"], polls);
        var live = Assert.Single(_w1.Commands, c => !CommandBatch.IsBatch(c));
        Assert.Equal(["cat", "--", status], live.Argv);
        Assert.Contains(_w1.Commands, c => CommandBatch.IsBatch(c) && c.Argv.Contains(status));
        var record = await File.ReadAllTextAsync(Record);
        Assert.Contains(ReadAhead.CheckOf("health"), record, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_check_that_ran_after_its_change_is_recorded_and_the_next_run_takes_its_first_poll_from_the_snapshot()
    {
        var status = Write("health", "ok\n");
        var restart = true;
        var polls = new List<string>();
        TestPhase? health = null;
        health = new TestPhase("health", (host, _) =>
        {
            if (host != "w1")
            {
                return Task.FromResult(TargetPlan.Nothing());
            }

            // The first run restarts the service and then waits for it; the next one has nothing to change and only checks.
            var plan = restart ? health!.Changed(host, "restart the service") : TargetPlan.Nothing();
            return Task.FromResult(plan with
            {
                VerifyReadsOnly = true,
                Verify = async (apply, ct) =>
                {
                    var poll = await apply.Host("w1").RunAsync(new RemoteCommand(["cat", "--", status]), ct);
                    lock (polls)
                    {
                        polls.Add(poll.Stdout);
                    }

                    return ["healthy"];
                },
            });
        }, HostRole.Worker);
        var first = Reads(async (view, ct) => await view.QueryAsync(new RemoteCommand(["echo", "first"]), ct), "first");

        await RunAsync(save: true, first, health);
        Assert.Contains(_w1.Commands, c => c.Argv is ["cat", "--", _]);
        restart = false;
        _w1.Clear();
        await RunAsync(save: true, first, health);

        Assert.Equal(["ok\n", "ok\n"], polls);
        var session = Assert.Single(_w1.Commands);
        Assert.True(CommandBatch.IsBatch(session));
        Assert.Contains(status, session.Argv);
    }

    [Fact]
    public async Task Commands_that_carry_a_secret_or_input_are_neither_recorded_nor_read_ahead()
    {
        _redactor.Register("s3cr3t-0123456789abcdef");
        var reads = Reads(async (view, ct) =>
        {
            await view.QueryAsync(new RemoteCommand(["echo", "token=s3cr3t-0123456789abcdef"]), ct);
            await view.QueryAsync(new RemoteCommand(["cat"], stdin: Encoding.UTF8.GetBytes("input")), ct);
            await view.QueryAsync(new RemoteCommand(["echo", "plain"]), ct);
        });

        await RunAsync(save: true, reads);
        _w1.Clear();
        await RunAsync(save: false, reads);

        var record = await File.ReadAllTextAsync(Record);
        Assert.Contains("plain", record, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", record, StringComparison.Ordinal);
        Assert.DoesNotContain("input", record, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Record));
        Assert.Contains(_w1.Commands, c => c.Argv is ["echo", "token=s3cr3t-0123456789abcdef"]);
        Assert.Contains(_w1.Commands, c => c.Argv is ["cat"]);
        Assert.DoesNotContain(_w1.Commands, c => c.Argv is ["echo", "plain"]);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"version\":2,\"hosts\":{}}")]
    [InlineData("{\"version\":1,\"hosts\":{\"w1\":{\"reads\":[{\"argv\":[]},{\"argv\":[\"\"]},{\"file\":\"relative\"},{\"argv\":[\"cat\"],\"file\":\"/x\"}]}}}")]
    public async Task A_record_that_is_not_usable_is_no_record_and_every_plan_reads_the_host(string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Record)!);
        await File.WriteAllTextAsync(Record, text);
        var seen = new List<string>();
        var reads = Reads(async (view, ct) => seen.Add((await view.QueryAsync(new RemoteCommand(["echo", "live"]), ct)).Stdout));

        await RunAsync(save: false, reads);

        Assert.Equal(["live\n"], seen);
        Assert.Equal([["echo", "live"]], _w1.Commands.Select(c => c.Argv));
    }

    [Fact]
    public async Task A_recorded_builtin_that_would_change_the_batchs_shell_is_dropped_and_the_other_reads_still_come_from_the_snapshot()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Record)!);
        await File.WriteAllTextAsync(Record, "{\"version\":1,\"hosts\":{\"w1\":{\"reads\":[{\"argv\":[\"exit\",\"7\"]},{\"argv\":[\"echo\",\"ahead\"]}]}}}");
        var seen = new List<string>();
        var reads = Reads(async (view, ct) => seen.Add((await view.QueryAsync(new RemoteCommand(["echo", "ahead"]), ct)).Stdout));

        await RunAsync(save: false, reads);

        Assert.Equal(["ahead\n"], seen);
        var batch = Assert.Single(_w1.Commands);
        Assert.True(CommandBatch.IsBatch(batch));
        Assert.DoesNotContain("exit", batch.Argv);
    }

    [Fact]
    public async Task A_run_replaces_the_reads_of_the_phases_it_planned_and_keeps_the_others()
    {
        var first = Reads(async (view, ct) => await view.QueryAsync(new RemoteCommand(["echo", "first"]), ct), "first");
        var second = Reads(async (view, ct) => await view.QueryAsync(new RemoteCommand(["echo", "second"]), ct), "second");
        var again = Reads(async (view, ct) => await view.QueryAsync(new RemoteCommand(["echo", "first again"]), ct), "first");

        await RunAsync(save: true, first, second);
        await RunAsync(save: true, again);

        var record = await File.ReadAllTextAsync(Record);
        Assert.Contains("first again", record, StringComparison.Ordinal);
        Assert.Contains("second", record, StringComparison.Ordinal);
        Assert.DoesNotContain("\"first\"]", record, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_a_plan_expects_for_its_next_run_is_not_made_now_and_the_next_run_reads_it_ahead()
    {
        var text = Write("later.txt", "made by this run\n");
        var command = new RemoteCommand(["cat", "--", text]);
        string? seen = null;
        var first = Reads((view, _) =>
        {
            view.Expect(command);
            return Task.CompletedTask;
        });
        var next = Reads(async (view, ct) => seen = (await view.QueryAsync(command, ct)).Stdout);

        await RunAsync(save: true, first);
        Assert.Empty(_w1.Commands);
        await RunAsync(save: false, next);

        Assert.Equal("made by this run\n", seen);
        Assert.All(_w1.Commands, c => Assert.True(CommandBatch.IsBatch(c), "read on w1 itself: " + string.Join(' ', c.Argv)));
    }

    [Fact]
    public async Task An_etcd_cluster_not_made_yet_leaves_the_reads_of_its_members_for_the_next_run_to_make_ahead()
    {
        // Every etcd host without data (the first init): no member is asked anything.
        var config = WorkflowFixtures.LabConfig;
        var asked = new List<string>();
        var hosts = config.Hosts.ToDictionary(h => h.Name, IRemoteHost (h) => new FakeHost(h.Name, command =>
        {
            lock (asked)
            {
                asked.Add(h.Name + ": " + string.Join(' ', command.Argv));
            }

            return new CommandResult(1, string.Empty, $"{command.Argv[^1]}: No such file or directory");
        }), StringComparer.Ordinal);
        ILeafPhase? phase = null;
        phase = new ContextPhase("etcd-plan", async (context, _, _, ct) =>
        {
            await context.Etcd.ObserveAsync(context, phase!, ct);
            return TargetPlan.Nothing();
        });
        await using (var reads = ReadAhead.Load(State, _redactor, _logger))
        {
            reads.Start(hosts);
            var context = new PhaseContext { Config = config, Hosts = hosts, Redactor = _redactor, Logger = _logger, ManifestPath = Path.Combine(_root, "installed-files"), Reads = reads };
            var result = await new WorkflowRunner(new RecordingObserver()).RunAsync(new PhaseTree("init", [phase]), WorkflowSelection.All, context, CancellationToken.None);
            Assert.True(result.Succeeded, string.Join("; ", result.Phases.SelectMany(p => p.Hosts).Select(h => h.Error)));
            reads.Save(State, [.. config.Hosts.Select(h => h.Name)]);
        }

        Assert.DoesNotContain(asked, a => a.Contains("etcdctl", StringComparison.Ordinal));
        var record = ReadAheadFile.Load(State, out var problem);
        Assert.Null(problem);
        string Etcdctl(string host) => string.Join("\n", record.GetValueOrDefault(host)?.GetValueOrDefault("etcd-plan")?.Where(k => !k.IsFile && k.Argv[0].EndsWith("etcdctl", StringComparison.Ordinal))
            .Select(k => string.Join(' ', k.Argv.Where(a => a.StartsWith("--endpoints=", StringComparison.Ordinal) || !a.StartsWith("--", StringComparison.Ordinal)).Skip(1))) ?? []);
        const string all = "--endpoints=https://192.168.56.21:2379,https://192.168.56.22:2379,https://192.168.56.23:2379 -w json endpoint";
        Assert.Equal(
            $"--endpoints=https://127.0.0.1:2379 endpoint health\n--endpoints=https://127.0.0.1:2379 -w json member list\n{all} health\n{all} status",
            Etcdctl("cp1"));
        Assert.Equal("--endpoints=https://127.0.0.1:2379 endpoint health", Etcdctl("cp2"));
        Assert.Equal("--endpoints=https://127.0.0.1:2379 endpoint health", Etcdctl("cp3"));
    }

    [Fact]
    public async Task A_snapshot_older_than_its_bound_is_not_used()
    {
        var clock = new MovableTimestamps();
        var reads = Reads(async (view, ct) =>
        {
            // The first read waits for the snapshot: it is young then, and the clock moves past its bound only after.
            await view.QueryAsync(new RemoteCommand(["echo", "early"]), ct);
            clock.Advance(ReadAhead.MaxAge + TimeSpan.FromSeconds(1));
            await view.QueryAsync(new RemoteCommand(["echo", "late"]), ct);
        });

        await RunAsync(save: true, reads);
        _w1.Clear();
        await RunAsync(save: false, reads, clock);

        Assert.DoesNotContain(_w1.Commands, c => c.Argv is ["echo", "early"]);
        Assert.Contains(_w1.Commands, c => c.Argv is ["echo", "late"]);
    }

    [Fact]
    public async Task A_snapshot_that_does_not_come_in_time_is_waited_for_once_and_every_read_goes_to_the_host()
    {
        var reads = Reads(async (view, ct) =>
        {
            await view.QueryAsync(new RemoteCommand(["echo", "first"]), ct);
            await view.QueryAsync(new RemoteCommand(["echo", "a"]), ct);
            await view.QueryAsync(new RemoteCommand(["echo", "b"]), ct);
        });
        await RunAsync(save: true, reads);
        _w1.Clear();

        // On this clock a wait that times out moves it by its length, at once; the snapshot is held back until the run ends (as
        // by a lease never settled), so it is never in time, however slow the machine (a real sleep was outrun under load).
        var clock = new SteppingClock();
        await RunAsync(save: false, reads, clock, notBefore: new TaskCompletionSource<bool>().Task);

        Assert.Equal(ReadAhead.ReaderWait, clock.Elapsed);
        Assert.Equal([["echo", "first"], ["echo", "a"], ["echo", "b"]], _w1.Commands.Select(c => c.Argv));
    }

    [Fact]
    public async Task A_read_the_snapshot_does_not_make_goes_to_the_host_at_once_and_a_read_it_makes_still_waits_for_it()
    {
        var first = true;
        var beforeHeld = TimeSpan.MinValue;
        var clock = new SteppingClock();
        var reads = Reads(async (view, ct) =>
        {
            if (!first)
            {
                // New in this run (a phase reads something the last run's did not): the snapshot cannot answer it.
                await view.QueryAsync(new RemoteCommand(["echo", "new"]), ct);
                beforeHeld = clock.Elapsed;
            }

            await view.QueryAsync(new RemoteCommand(["echo", "recorded"]), ct);
        });
        await RunAsync(save: true, reads);
        first = false;
        _w1.Clear();

        // On this clock a wait that times out moves it by its length, at once; the snapshot is held back until the run ends, so
        // it is never in time, however slow the machine (a real sleep was outrun under load).
        await RunAsync(save: false, reads, clock, notBefore: new TaskCompletionSource<bool>().Task);

        Assert.Equal(TimeSpan.Zero, beforeHeld);
        Assert.Equal(ReadAhead.ReaderWait, clock.Elapsed);
        Assert.Equal([["echo", "new"], ["echo", "recorded"]], _w1.Commands.Select(c => c.Argv));
    }

    [Fact]
    public async Task A_run_reads_ahead_only_what_its_own_phases_read()
    {
        var mine = Reads(async (view, ct) => await view.QueryAsync(new RemoteCommand(["echo", "mine"]), ct), "mine");
        var other = Reads(async (view, ct) => await view.QueryAsync(new RemoteCommand(["echo", "other command's"]), ct), "other");
        await RunAsync(save: true, mine, other);
        _w1.Clear();

        await using (var reads = ReadAhead.Load(State, _redactor, _logger, phases: new HashSet<string>(["mine"], StringComparer.Ordinal)))
        {
            reads.Start(_w1);
            reads.BeginPlanning("mine");
            var answer = await reads.ReadCommandAsync(
                "w1", new RemoteCommand(["echo", "mine"]), () => throw new InvalidOperationException("read on the host"), CancellationToken.None);
            reads.EndPlanning();
            Assert.Equal("mine\n", answer?.Stdout);
        }

        var batch = Assert.Single(_w1.Commands);
        Assert.Contains("mine", batch.Argv);
        Assert.DoesNotContain("other command's", batch.Argv);
    }

    [Fact]
    public async Task A_host_is_read_ahead_only_once_the_run_may_read_it_and_not_at_all_when_it_may_not()
    {
        var reads = Reads(async (view, ct) => await view.QueryAsync(new RemoteCommand(["echo", "state"]), ct), "mine");
        await RunAsync(save: true, reads);

        // notBefore is the run holding the cluster's run lease: until then another run may still be changing the host.
        _w1.Clear();
        var held = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (var ahead = ReadAhead.Load(State, _redactor, _logger, notBefore: held.Task))
        {
            ahead.Start(_w1);
            await Task.Delay(300);
            Assert.Empty(_w1.Commands);

            held.SetResult(true);
            ahead.BeginPlanning("mine");
            var answer = await ahead.ReadCommandAsync(
                "w1", new RemoteCommand(["echo", "state"]), () => throw new InvalidOperationException("read on the host"), CancellationToken.None);
            ahead.EndPlanning();
            Assert.Equal("state\n", answer?.Stdout);
            Assert.True(CommandBatch.IsBatch(Assert.Single(_w1.Commands)));
        }

        // Refused (another run holds the lease): the run ends without a phase, and nothing was read.
        _w1.Clear();
        await using (var refused = ReadAhead.Load(State, _redactor, _logger, notBefore: Task.FromResult(false)))
        {
            refused.Start(_w1);
            await Task.Delay(300);
        }

        Assert.Empty(_w1.Commands);
    }

    [Fact]
    public async Task A_plan_made_ahead_waits_for_its_hosts_snapshot_without_keeping_other_hosts_plans_waiting()
    {
        // w1's snapshot answers only once w2's plan of the third phase has started, and one plan ahead runs at a time
        // (spec.ssh.concurrency 1): a plan that waited for w1's snapshot holding that place would keep w2's plan from starting,
        // give up on the snapshot after ReadAhead.ReaderWait and read w1 itself, which would then wait in vain.
        var flag = Path.Combine(_root, "w2-third-started");
        var wait = new RemoteCommand(["sh", "-c", "i=0; while [ ! -e \"$1\" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done; [ -e \"$1\" ] && echo released || echo gave up", "wait", flag]);
        var seen = new List<string>();
        var w1PlannedAhead = new HashSet<string>(StringComparer.Ordinal);
        var bothW1PlansAhead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<TargetPlan> ReadOnW1(PhaseContext context, string phase, string host, CancellationToken ct)
        {
            if (host == "w2" && phase == "third")
            {
                await File.WriteAllTextAsync(flag, "started", ct);
            }

            if (host == "w1")
            {
                lock (w1PlannedAhead)
                {
                    if (context != _context && w1PlannedAhead.Add(phase) && w1PlannedAhead.Count == 2)
                    {
                        bothW1PlansAhead.TrySetResult();
                    }
                }

                var result = await context.View(host).QueryAsync(wait, ct);
                lock (seen)
                {
                    // Which plan read it: one made ahead, or one made in the phase's turn (the run's own context).
                    seen.Add($"{phase} {(context == _context ? "in its turn" : "ahead")}: {result.Stdout.Trim()}");
                }
            }

            return TargetPlan.Nothing();
        }

        // In the run with plans ahead, the first phase ends only once both of w1's plans ahead were reached: a plan ahead that had not
        // started when its phase's turn came is planned in its turn, as it should be, and under load the thread pool may start it late.
        // A plan ahead that held the gate while waiting for w1's snapshot would still fail the test: w2's third plan could not start, and
        // w1's snapshot would give up ("gave up", seen with that defect put in).
        ILeafPhase[] Phases(bool ahead) =>
        [
            new TestPhase("first", async (_, ct) =>
            {
                if (ahead)
                {
                    await bothW1PlansAhead.Task.WaitAsync(TimeSpan.FromSeconds(20), ct);
                }

                return TargetPlan.Nothing();
            }, HostRole.Worker),
            new ContextPhase("second", ReadOnW1), new ContextPhase("third", ReadOnW1),
        ];
        File.WriteAllText(flag, "recording");
        await RunAsync(save: true, Phases(ahead: false), TimeProvider.System);
        File.Delete(flag);
        _w1.Clear();
        seen.Clear();

        await RunAsync(save: false, Phases(ahead: true), TimeProvider.System, concurrency: 1);

        // Each of w1's plans was made ahead, waiting for w1's snapshot (taken in its turn, not made again there), and read it.
        Assert.Equal(["second ahead: released", "third ahead: released"], seen.Order());
        Assert.All(_w1.Commands, c => Assert.True(CommandBatch.IsBatch(c), "read on w1 itself: " + string.Join(' ', c.Argv)));
    }

    /// <summary>A phase on the workers whose plan is a delegate given the context it is made in (a plan made ahead has its own).</summary>
    private sealed class ContextPhase(string name, Func<PhaseContext, string, string, CancellationToken, Task<TargetPlan>> plan) : ILeafPhase
    {
        public string Name => name;

        public string Description => "test phase " + name;

        public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config) => PhaseTarget.Of(config.Hosts.Where(h => h.HasRole(HostRole.Worker)));

        public Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken) =>
            plan(context, name, target.Name, cancellationToken);
    }

    private TestPhase Reads(Func<HostView, CancellationToken, Task> read, string name = "reads") =>
        new(name, async (host, ct) => host == "w1" ? await ReadThen(host, read, ct) : TargetPlan.Nothing(), HostRole.Worker);

    private async Task<TargetPlan> ReadThen(string host, Func<HostView, CancellationToken, Task> read, CancellationToken cancellationToken)
    {
        await read(_context!.View(host), cancellationToken);
        return TargetPlan.Nothing();
    }

    private Task RunAsync(bool save, params ILeafPhase[] phases) => RunAsync(save, phases, TimeProvider.System);

    private Task RunAsync(bool save, ILeafPhase phase, TimeProvider clock, Task<bool>? notBefore = null) => RunAsync(save, [phase], clock, notBefore: notBefore);

    private async Task RunAsync(bool save, ILeafPhase[] phases, TimeProvider time, int? concurrency = null, Task<bool>? notBefore = null)
    {
        var config = concurrency is { } limit ? WorkflowFixtures.LabConfig with { SshConcurrency = limit } : WorkflowFixtures.LabConfig;
        var hosts = config.Hosts.ToDictionary(h => h.Name, h => h.Name == "w1" ? (IRemoteHost)_w1 : new FakeHost(h.Name), StringComparer.Ordinal);
        await using var reads = ReadAhead.Load(State, _redactor, _logger, time, notBefore: notBefore);
        reads.Start(hosts);
        _context = new PhaseContext
        {
            Config = config,
            Hosts = hosts,
            Redactor = _redactor,
            Logger = _logger,
            ManifestPath = Path.Combine(_root, "installed-files"),
            Time = time,
            Reads = reads,
        };
        var result = await new WorkflowRunner(new RecordingObserver()).RunAsync(new PhaseTree("init", phases), WorkflowSelection.All, _context, CancellationToken.None);
        Assert.True(result.Succeeded, string.Join("; ", result.Phases.SelectMany(p => p.Hosts).Select(h => h.Error)));
        if (save)
        {
            reads.Save(State, [.. config.Hosts.Select(h => h.Name)]);
        }
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_root, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The system's clock and timers, with timestamps that move only when the test says (the snapshot's age).</summary>
    private sealed class MovableTimestamps : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
