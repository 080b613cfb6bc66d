using Bootstrap.Core.Install;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Tests.Workflow;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Install;

public sealed class ServiceControlTests
{
    private static readonly ServiceSpec Spec = new()
    {
        Unit = "demo.service",
        Component = "demo",
        Inputs = ["/etc/demo.conf"],
        Health = RemoteCommand.Of("check-demo"),
        HealthTimeout = TimeSpan.FromSeconds(20),
        PollInterval = TimeSpan.FromMilliseconds(1),
    };

    /// <summary>
    /// A unit, running unless <paramref name="active"/> is false, whose input changed after it started; after
    /// <c>restart</c> the old invocation stays for <paramref name="showsOfOldAfterRestart"/> status reads. Its health
    /// check always passes, as a still-running old process's would.
    /// </summary>
    private sealed class Unit(int showsOfOldAfterRestart, bool active = true, bool enabled = true, bool crashes = false)
    {
        private int _restarts;

        public List<string> Log { get; } = [];

        private bool _restarted;
        private int _showsAfterRestart;

        public CommandResult Answer(RemoteCommand command)
        {
            var argv = command.Argv;
            switch (argv[0])
            {
                case "systemctl" when argv[1] == "show":
                    var invocation = !_restarted || _showsAfterRestart++ < showsOfOldAfterRestart ? "old" : "new";
                    Log.Add($"show {invocation}");
                    if (crashes && _restarted)
                    {
                        _restarts++;
                    }

                    return Ok($"ActiveState={(active ? "active" : "inactive")}\nActiveEnterTimestamp=@100\nUnitFileState={(enabled ? "enabled" : "disabled")}\nNeedDaemonReload=no\nInvocationID={invocation}\nNRestarts={_restarts}\n");
                case "stat":
                    return Ok("200 /etc/demo.conf\n");
                case "systemctl" when argv[1] is "restart" or "start":
                    _restarted = argv[1] == "restart";
                    Log.Add(argv[1]);
                    return Ok(string.Empty);
                case "env" when argv is [_, "SYSTEMCTL_SKIP_SYSV=1", "systemctl", "enable", ..]:
                    Log.Add("enable");
                    return Ok(string.Empty);
                case "check-demo":
                    Log.Add("health");
                    return crashes ? new CommandResult(1, string.Empty, "connection refused") : Ok("ok");
                case "journalctl":
                    return Ok("demo: stopping\n");
                default:
                    return new CommandResult(127, string.Empty, "unexpected: " + command.ToShellString());
            }
        }

        private static CommandResult Ok(string stdout) => new(0, stdout, string.Empty);
    }

    private static async Task<(IReadOnlyList<Change> Planned, IReadOnlyList<string> Done)> ConvergeAsync(Unit unit, ServiceSpec spec, IReadOnlyList<Change>? files = null)
    {
        var context = Changes.On(new FakeHost("cp1", unit.Answer));
        var planned = await ServiceControl.PlanAsync(context.View("cp1"), [spec], files ?? [], waitAfterStart: true, CancellationToken.None);
        unit.Log.Clear();
        return (planned, await Changes.ApplyAsync(context, planned));
    }

    [Fact]
    public async Task A_restart_trusts_health_only_from_the_new_process()
    {
        var unit = new Unit(showsOfOldAfterRestart: 3);

        var (planned, done) = await ConvergeAsync(unit, Spec);

        Assert.True(ServiceControl.Restarts(planned));
        Assert.Equal(["restarted demo.service (demo started before /etc/demo.conf changed)"], done);
        Assert.Equal(["restart", "show old", "show old", "show old", "show new", "health"], unit.Log);
    }

    [Fact]
    public async Task A_running_service_whose_input_is_about_to_change_is_restarted_after_it_and_a_stopped_one_is_started_in_parallel()
    {
        var change = new Change { Host = "cp1", Kind = ChangeKind.FileReplace, Target = "/etc/demo.conf" };

        var (restart, _) = await ConvergeAsync(new Unit(0), Spec, [change]);
        var (start, _) = await ConvergeAsync(new Unit(0, active: false, enabled: false), Spec, [change]);

        Assert.Equal([ChangeKind.UnitRestart], restart.Select(c => c.Kind));
        Assert.Equal("demo runs with files that are about to change: /etc/demo.conf", restart[0].Reason);
        Assert.Equal([ChangeKind.UnitEnable, ChangeKind.UnitStart], start.Select(c => c.Kind));
        Assert.False(ServiceControl.Restarts(start));
    }

    [Fact]
    public async Task A_service_that_keeps_exiting_fails_long_before_its_health_timeout_saying_so()
    {
        var unit = new Unit(showsOfOldAfterRestart: 0, crashes: true);
        var started = DateTime.UtcNow;

        var error = await Assert.ThrowsAsync<ServiceException>(() => ConvergeAsync(unit, Spec with { HealthTimeout = TimeSpan.FromMinutes(5) }));

        Assert.Contains("cp1: demo keeps exiting: systemd restarted it 3 times", error.Message, StringComparison.Ordinal);
        Assert.Contains("connection refused", error.Message, StringComparison.Ordinal);
        Assert.Contains("demo: stopping", error.Message, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task An_old_process_that_never_stops_fails_the_restart_saying_so()
    {
        var unit = new Unit(showsOfOldAfterRestart: int.MaxValue);

        var error = await Assert.ThrowsAsync<ServiceException>(() => ConvergeAsync(unit, Spec with { HealthTimeout = TimeSpan.FromMilliseconds(200) }));

        Assert.StartsWith("cp1: demo is not healthy after 0 s (check-demo → the process it replaces is still stopping)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("health", unit.Log);
        Assert.IsAssignableFrom<PhaseFailedException>(error);
    }

    [Theory]
    [InlineData("300.250000000", true)]
    [InlineData("100.999999999", false)]
    public async Task Inputs_the_plan_already_read_are_compared_by_that_reads_times_with_no_stat_of_their_own(string mtime, bool restarts)
    {
        var commands = new List<string>();
        var host = new FakeHost("cp1", command =>
        {
            commands.Add(command.Argv[0] is "sh" ? "probe" : string.Join(' ', command.Argv));
            return command.Argv switch
            {
                ["sh", "-c", _, "probe", FileStat.Format, _, ..] => new(0, $"81a4 root root 5 {mtime} 100.000000000 7 1 /etc/demo.conf\n{RemoteFileProbe.ManifestMarker}\n", string.Empty),
                ["sh", "-c", _, "sha256", ..] => new(0, new string('a', 64) + " */etc/demo.conf\n", string.Empty),
                ["systemctl", "show", ..] => new(0, "ActiveState=active\nActiveEnterTimestamp=@101\nUnitFileState=enabled\nNeedDaemonReload=no\nInvocationID=a\n", string.Empty),
                _ => new(127, string.Empty, "not faked: " + command.ToShellString()),
            };
        });
        await using var context = WorkflowFixtures.Context(name => name == "cp1" ? host : new FakeHost(name));
        var view = context.View("cp1");

        await view.FilesAsync(["/etc/demo.conf"], CancellationToken.None);
        var planned = await ServiceControl.PlanAsync(view, [Spec], [], waitAfterStart: true, CancellationToken.None);

        Assert.Equal(restarts, planned.Any(c => c.Kind == ChangeKind.UnitRestart && c.Reason == "demo started before /etc/demo.conf changed"));
        Assert.DoesNotContain(commands, c => c.StartsWith("stat ", StringComparison.Ordinal));
    }

    private static readonly ServiceSpec Dependent = new()
    {
        Unit = "reader.service",
        Component = "reader",
        Inputs = [],
        Health = RemoteCommand.Of("check-reader"),
        HealthTimeout = TimeSpan.FromSeconds(20),
        PollInterval = TimeSpan.FromMilliseconds(1),
    };

    /// <summary>demo.service (inputs changed after it started) and reader.service on one host; every command logged as "verb unit".</summary>
    private sealed class Pair(bool readerActive, bool demoHealthy = true)
    {
        private bool _restarted;

        public List<string> Log { get; } = [];

        public CommandResult Answer(RemoteCommand command)
        {
            var argv = command.Argv;
            switch (argv[0])
            {
                case "systemctl" when argv[1] == "show":
                    var unit = argv[^1];
                    var active = unit == "demo.service" || readerActive;
                    var invocation = unit == "demo.service" && _restarted ? "new" : "old";
                    return new CommandResult(0, $"ActiveState={(active ? "active" : "inactive")}\nActiveEnterTimestamp=@100\nUnitFileState=enabled\nNeedDaemonReload=no\nInvocationID={invocation}\nNRestarts=0\n", string.Empty);
                case "stat":
                    return new CommandResult(0, "200 /etc/demo.conf\n", string.Empty);
                case "systemctl":
                    _restarted |= argv[1] == "restart";
                    Log.Add($"{argv[1]} {argv[^1]}");
                    return new CommandResult(0, string.Empty, string.Empty);
                case "check-demo":
                    Log.Add("health demo");
                    return demoHealthy ? new CommandResult(0, "ok", string.Empty) : new CommandResult(1, string.Empty, "refused");
                case "check-reader":
                    Log.Add("health reader");
                    return new CommandResult(0, "ok", string.Empty);
                case "journalctl":
                    return new CommandResult(0, "demo: failing\n", string.Empty);
                default:
                    return new CommandResult(127, string.Empty, "unexpected: " + command.ToShellString());
            }
        }
    }

    private static async Task<(IReadOnlyList<Change> Planned, Task<IReadOnlyList<string>> Done)> RestartWithReaderAsync(Pair pair, TimeSpan? healthTimeout = null)
    {
        var context = Changes.On(new FakeHost("cp1", pair.Answer));
        var spec = Spec with { Dependents = [Dependent], HealthTimeout = healthTimeout ?? Spec.HealthTimeout };
        var planned = await ServiceControl.PlanAsync(context.View("cp1"), [spec], [], waitAfterStart: true, CancellationToken.None);
        return (planned, Changes.ApplyAsync(context, planned));
    }

    [Fact]
    public async Task A_running_dependent_is_stopped_before_the_restart_and_started_once_the_service_is_healthy()
    {
        var pair = new Pair(readerActive: true);

        var (planned, done) = await RestartWithReaderAsync(pair);

        var restart = Assert.Single(planned, c => c.Kind == ChangeKind.UnitRestart);
        Assert.EndsWith("; reader on the host stops meanwhile and starts again after it", restart.Reason, StringComparison.Ordinal);
        Assert.Contains("stopped reader while demo restarted (it reads only this demo)", await done);
        Assert.Equal(["stop reader.service", "restart demo.service", "health demo", "start reader.service", "health reader"], pair.Log);
    }

    [Fact]
    public async Task A_dependent_that_is_not_running_is_left_alone()
    {
        var pair = new Pair(readerActive: false);

        var (_, done) = await RestartWithReaderAsync(pair);
        await done;

        Assert.Equal(["restart demo.service", "health demo"], pair.Log);
    }

    [Fact]
    public async Task A_service_that_does_not_come_back_ends_the_turn_with_its_dependent_started_again()
    {
        var pair = new Pair(readerActive: true, demoHealthy: false);

        var (_, done) = await RestartWithReaderAsync(pair, TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAsync<ServiceException>(() => done);
        Assert.Equal("stop reader.service", pair.Log[0]);
        Assert.Equal("start reader.service", pair.Log[^1]);
    }

    /// <summary>Two units that are neither enabled nor running; records each systemctl command that changes something.</summary>
    private static async Task<(IReadOnlyList<Change> Planned, List<string> Commands)> EnableAndStartTwoAsync(bool unitFileChanges)
    {
        var commands = new List<string>();
        var context = Changes.On(new FakeHost("cp1", command => command.Argv switch
        {
            ["systemctl", "show", ..] => new CommandResult(0, "ActiveState=inactive\nActiveEnterTimestamp=\nUnitFileState=disabled\nNeedDaemonReload=no\nInvocationID=\nNRestarts=0\n", string.Empty),
            ["systemctl" or "env", ..] => Recorded(commands, command),
            _ => new CommandResult(0, "ok", string.Empty),
        }));
        var files = unitFileChanges
            ? new[] { new Change { Host = "cp1", Kind = ChangeKind.FileCreate, Target = InstallFiles.SystemdDir + "/demo.service" } }
            : [];
        var planned = await ServiceControl.PlanAsync(context.View("cp1"), [Spec, Spec with { Unit = "other.service", Component = "other" }], files, waitAfterStart: false, CancellationToken.None);
        await Changes.ApplyAsync(context, planned);
        return (planned, commands);
    }

    private static CommandResult Recorded(List<string> commands, RemoteCommand command)
    {
        lock (commands)
        {
            commands.Add(string.Join(' ', command.Argv));
        }

        return new CommandResult(0, string.Empty, string.Empty);
    }

    [Fact]
    public async Task Units_are_enabled_before_the_one_daemon_reload_that_a_changed_unit_file_needs_and_none_of_the_enables_reloads_again()
    {
        var (planned, commands) = await EnableAndStartTwoAsync(unitFileChanges: true);

        Assert.Equal([ChangeKind.UnitEnable, ChangeKind.UnitEnable, ChangeKind.DaemonReload, ChangeKind.UnitStart, ChangeKind.UnitStart], planned.Select(c => c.Kind));
        Assert.Equal(
            ["env SYSTEMCTL_SKIP_SYSV=1 systemctl enable --quiet --no-reload demo.service", "env SYSTEMCTL_SKIP_SYSV=1 systemctl enable --quiet --no-reload other.service", "systemctl daemon-reload"],
            commands.Take(3));
        Assert.Equal(2, commands.Count(c => c.StartsWith("systemctl start", StringComparison.Ordinal)));
        Assert.Equal(5, commands.Count);
    }

    [Fact]
    public async Task Without_a_unit_file_change_only_the_last_enable_reloads_systemd()
    {
        var (planned, commands) = await EnableAndStartTwoAsync(unitFileChanges: false);

        Assert.Equal([ChangeKind.UnitEnable, ChangeKind.UnitEnable, ChangeKind.UnitStart, ChangeKind.UnitStart], planned.Select(c => c.Kind));
        Assert.Equal(["env SYSTEMCTL_SKIP_SYSV=1 systemctl enable --quiet --no-reload demo.service", "env SYSTEMCTL_SKIP_SYSV=1 systemctl enable --quiet other.service"], commands.Take(2));
        Assert.DoesNotContain(commands, c => c.Contains("daemon-reload", StringComparison.Ordinal));
    }

    /// <summary>
    /// Two units of the catalog (so the host's one <c>systemctl show</c> of every unit reports them), neither enabled nor running,
    /// each with the given LoadState ("" for a systemd that does not report it); their unit files are about to be written. Records
    /// each systemctl command that changes something; <c>systemctl start</c> answers <paramref name="firstStartExit"/> once.
    /// </summary>
    private static async Task<(IReadOnlyList<Change> Planned, List<string> Commands)> NewUnitsAsync(
        string proxyLoadState, string kubeletLoadState, string[] unitFiles, int firstStartExit = 0, string proxyActiveState = "inactive")
    {
        var commands = new List<string>();
        var failStart = firstStartExit;
        var context = Changes.On(new FakeHost("cp1", command => command.Argv switch
        {
            ["systemctl", "show", ..] => new CommandResult(0, string.Join("\n", ServiceCatalog.Units.Select(u =>
                $"Id={u}\nActiveState={(u == "kube-proxy.service" ? proxyActiveState : "inactive")}\nActiveEnterTimestamp=\nUnitFileState=\nNeedDaemonReload=no\nInvocationID=\nNRestarts=0\n"
                + (u switch { "kube-proxy.service" => proxyLoadState, "kubelet.service" => kubeletLoadState, _ => "not-found" }) switch
                {
                    "" => string.Empty,
                    var state => $"LoadState={state}\n",
                })), string.Empty),
            ["systemctl", "start", ..] => Recorded(commands, command) with { ExitCode = Interlocked.Exchange(ref failStart, 0) },
            ["systemctl" or "env", ..] => Recorded(commands, command),
            _ => new CommandResult(0, "ok", string.Empty),
        }));
        var files = unitFiles.Select(f => new Change { Host = "cp1", Kind = ChangeKind.FileCreate, Target = InstallFiles.SystemdDir + "/" + f }).ToList();
        var services = new[] { Spec with { Unit = "kube-proxy.service", Component = "kube-proxy" }, Spec with { Unit = "kubelet.service", Component = "kubelet" } };
        var planned = await ServiceControl.PlanAsync(context.View("cp1"), services, files, waitAfterStart: false, CancellationToken.None);
        await Changes.ApplyAsync(context, planned);
        return (planned, commands);
    }

    [Fact]
    public async Task New_unit_files_of_units_systemd_found_no_file_for_are_enabled_and_started_with_no_daemon_reload()
    {
        var (planned, commands) = await NewUnitsAsync("not-found", "not-found", ["kube-proxy.service", "kubelet.service", "kubelet.service.d/10-bootstrap.conf"]);

        Assert.Equal([ChangeKind.UnitEnable, ChangeKind.UnitEnable, ChangeKind.UnitStart, ChangeKind.UnitStart], planned.Select(c => c.Kind));
        Assert.Equal(
            ["env SYSTEMCTL_SKIP_SYSV=1 systemctl enable --quiet --no-reload kube-proxy.service", "env SYSTEMCTL_SKIP_SYSV=1 systemctl enable --quiet --no-reload kubelet.service"],
            commands.Take(2));
        Assert.Equal(2, commands.Count(c => c.StartsWith("systemctl start --no-block", StringComparison.Ordinal)));
        Assert.Equal(4, commands.Count);
    }

    [Theory]
    [InlineData("loaded", "kube-proxy.service")]
    [InlineData("", "kube-proxy.service")]
    [InlineData("not-found", "kube-proxy.service.d/10-bootstrap.conf", "loaded")]
    [InlineData("not-found", "multi-user.target.wants/kube-proxy.service")]
    [InlineData("not-found", "demo.service")]
    public async Task A_unit_file_systemd_may_hold_loaded_is_read_by_one_daemon_reload_after_the_enables(string proxyLoadState, string unitFile, string kubeletLoadState = "not-found")
    {
        // A unit systemd loaded (or a systemd that does not say), a drop-in beside a loaded kubelet, a file that is no unit's own,
        // a unit the host's snapshot does not report.
        var (planned, commands) = await NewUnitsAsync(proxyLoadState, kubeletLoadState, [unitFile, "kubelet.service.d/10-bootstrap.conf"]);

        Assert.Equal([ChangeKind.UnitEnable, ChangeKind.UnitEnable, ChangeKind.DaemonReload, ChangeKind.UnitStart, ChangeKind.UnitStart], planned.Select(c => c.Kind));
        Assert.Equal(
            ["env SYSTEMCTL_SKIP_SYSV=1 systemctl enable --quiet --no-reload kube-proxy.service", "env SYSTEMCTL_SKIP_SYSV=1 systemctl enable --quiet --no-reload kubelet.service", "systemctl daemon-reload"],
            commands.Take(3));
        Assert.Equal(1, commands.Count(c => c.Contains("daemon-reload", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_running_unit_whose_file_was_removed_is_reloaded_for_before_its_restart()
    {
        // Seen on the lab: kube-apiserver.service's file removed and systemd reloaded while it ran; init wrote the file back and
        // `systemctl restart` failed: "Unit kube-apiserver.service failed to load properly … Device or resource busy".
        var (planned, commands) = await NewUnitsAsync("not-found", "not-found", ["kube-proxy.service"], proxyActiveState: "active");

        Assert.Equal([ChangeKind.UnitEnable, ChangeKind.UnitEnable, ChangeKind.DaemonReload, ChangeKind.UnitStart], planned.Select(c => c.Kind));
        Assert.Equal("systemctl daemon-reload", commands[2]);
    }

    [Theory]
    [InlineData("error")]
    [InlineData("bad-setting")]
    public async Task A_unit_systemd_failed_to_load_is_reloaded_for_though_no_file_changes(string loadState)
    {
        // The run after the one above, before the fix: the file was back, systemd held the running unit as "error", and the
        // restart failed the same way.
        var (planned, commands) = await NewUnitsAsync(loadState, "not-found", [], proxyActiveState: "active");

        Assert.Contains(ChangeKind.DaemonReload, planned.Select(c => c.Kind));
        Assert.Equal(1, commands.Count(c => c == "systemctl daemon-reload"));
    }

    [Fact]
    public async Task Enabling_a_loaded_unit_with_no_unit_file_change_reloads_with_the_last_enable()
    {
        var (_, commands) = await NewUnitsAsync("not-found", "loaded", []);

        Assert.Equal(["env SYSTEMCTL_SKIP_SYSV=1 systemctl enable --quiet --no-reload kube-proxy.service", "env SYSTEMCTL_SKIP_SYSV=1 systemctl enable --quiet kubelet.service"], commands.Take(2));
        Assert.DoesNotContain(commands, c => c.Contains("daemon-reload", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_start_systemd_answers_with_unit_not_found_reloads_once_and_starts_again()
    {
        // An older systemd that looked the unit up before its file existed keeps it as not found until it reloads.
        var (_, commands) = await NewUnitsAsync("not-found", "not-found", ["kube-proxy.service"], firstStartExit: 5);

        var reload = commands.IndexOf("systemctl daemon-reload");
        Assert.True(reload > 0, string.Join("; ", commands));
        Assert.StartsWith("systemctl start --no-block", commands[reload - 1], StringComparison.Ordinal);
        Assert.Equal(commands[reload - 1], commands[reload + 1]);
        Assert.Equal(3, commands.Count(c => c.StartsWith("systemctl start --no-block", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_start_that_fails_otherwise_fails_the_change_with_no_reload()
    {
        var error = await Assert.ThrowsAsync<RemoteCommandException>(() => NewUnitsAsync("not-found", "not-found", ["kube-proxy.service"], firstStartExit: 1));

        Assert.Contains("systemctl start --no-block", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kube-proxy.service", "kube-proxy.service")]
    [InlineData("etcd-backup.timer", "etcd-backup.timer")]
    [InlineData("kubelet.service.d/10-bootstrap.conf", "kubelet.service")]
    [InlineData("multi-user.target.wants/kubelet.service", null)]
    [InlineData("kubelet.service.d/notes.txt", null)]
    [InlineData("README", null)]
    public void A_unit_file_path_names_its_unit(string relative, string? unit) =>
        Assert.Equal(unit, ServiceControl.UnitOf(InstallFiles.SystemdDir + "/" + relative));
}
