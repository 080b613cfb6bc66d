using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Bootstrap.Lab.Tests.Lab;
using static Bootstrap.Lab.Tests.Init.LabInspection;

namespace Bootstrap.Lab.Tests.Init;

/// <summary>
/// The steps of <see cref="InitLabTests"/> that prove a running cluster is never harmed (issue 12) and that the plan is the
/// engine's typed change records (issue 13): each runs on the installed lab cluster and leaves it as it found it.
/// </summary>
internal static partial class LifecycleGuards
{
    private static readonly string GoldenDirectory = Path.Combine(AppContext.BaseDirectory, "Init", "Golden");

    /// <summary>
    /// The change records of a plan as "phase host kind target (reason)" lines, content hashes left out: phases in run order,
    /// within a phase by target name (targets finish in any order), within a target in the order it reported them.
    /// </summary>
    public static List<string> Changes(string stdout)
    {
        var changes = BootstrapProcess.Events(stdout).Where(e => e.GetProperty("event").GetString() == "change").ToList();
        var phases = changes.Select(e => e.GetProperty("phase").GetString()!).Distinct().ToList();
        return [.. changes
            .Select((e, i) => (Event: e, Index: i))
            .OrderBy(x => phases.IndexOf(x.Event.GetProperty("phase").GetString()!))
            .ThenBy(x => x.Event.GetProperty("host").GetString(), StringComparer.Ordinal)
            .ThenBy(x => x.Index)
            .Select(x => x.Event)
            .Select(e => $"{e.GetProperty("phase").GetString()} {e.GetProperty("host").GetString()} {e.GetProperty("kind").GetString()} {StoreDigest().Replace(e.GetProperty("target").GetString()!, "-DIGEST")}"
                + (e.GetProperty("reason").ValueKind == JsonValueKind.String ? $" ({e.GetProperty("reason").GetString()})" : string.Empty))];
    }

    /// <summary>issue 13: on fresh machines, `plan --output json` lists exactly the golden creations, each once.</summary>
    public static async Task FreshPlanListsTheGoldenChangesAsync(LabClusterFile cluster)
    {
        var plan = await BootstrapProcess.RunAsync("plan", "-f", cluster.Path, "--output", "json");
        Assert.True(plan.ExitCode == 0, plan.Output);
        var actual = Changes(plan.Stdout);
        var golden = Path.Combine(GoldenDirectory, "plan-fresh-lab.txt");
        var expected = File.ReadAllLines(golden).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        // Written outside the test's directory, which is removed with the lab cluster file.
        var written = Path.Combine(Path.GetTempPath(), "plan-fresh-lab.actual.txt");
        if (!expected.SequenceEqual(actual))
        {
            File.WriteAllLines(written, actual);
        }

        Assert.True(expected.SequenceEqual(actual),
            $"the plan of the fresh lab differs from {golden} (actual written to {written}):\n"
            + string.Join('\n', expected.Except(actual).Select(l => "- " + l).Concat(actual.Except(expected).Select(l => "+ " + l)).Take(40)));
        Assert.Equal(actual.Count, actual.Distinct().Count());
    }

    /// <summary>issue 13: on the installed cluster the plan lists nothing; a changed SAN lists exactly the certificate it implies and the restarts it needs.</summary>
    public static async Task InstalledPlanListsNothingAndAChangedFieldListsExactlyWhatItImpliesAsync(LabPaths paths, LabClusterFile cluster)
    {
        var nothing = await SteadyPlanAsync(paths, cluster.Path);
        Assert.True(nothing.ExitCode == 0, nothing.Output);
        Assert.Empty(Changes(nothing.Stdout));

        var san = cluster.Variant("cluster-new-san.yaml", text => text.Replace("      - api.lab.internal", "      - api.lab.internal\n      - api2.lab.internal", StringComparison.Ordinal));
        var plan = await SteadyPlanAsync(paths, san);
        Assert.True(plan.ExitCode == 0, plan.Output);
        var expected = new List<string> { "certs workstation state-reissue apiserver (SANs changed)" };
        foreach (var cp in ControlPlanes)
        {
            expected.Add($"control-plane/apiserver {cp} file-replace /etc/kubernetes/pki/apiserver.crt (content differs)");
            expected.Add($"control-plane/apiserver {cp} file-replace /etc/kubernetes/pki/apiserver.key (content differs)");
            expected.Add($"control-plane/apiserver {cp} unit-restart kube-apiserver.service (kube-apiserver runs with files that are about to change: /etc/kubernetes/pki/apiserver.crt, /etc/kubernetes/pki/apiserver.key)");
        }

        // kubeadm's ClusterConfiguration records the SANs too.
        expected.Add("upload-config/kubeadm cluster api-update ConfigMap kube-system/kubeadm-config");

        var actual = Changes(plan.Stdout);
        if (!expected.SequenceEqual(actual))
        {
            // Whole lines (with their reasons), and what systemd says of a unit the plan would start or restart beyond the expected.
            var units = new List<string>();
            foreach (var line in actual.Except(expected).Where(l => l.Split(' ') is [_, _, "unit-start" or "unit-restart", ..]))
            {
                var words = line.Split(' ');
                var unit = await LabMachines.RunAsync(paths, Machine(words[1]), "sh", "-c", $"systemctl status --no-pager {words[3]} | head -5; journalctl -u {words[3]} --no-pager -n 15 -o short-iso");
                units.Add($"{words[1]} {words[3]}:\n{unit.Stdout.Trim()}\n{unit.Stderr.Trim()}");
            }

            Assert.Fail("the plan of a changed SAN differs:\n" + string.Join('\n', expected.Except(actual).Select(l => "- " + l).Concat(actual.Except(expected).Select(l => "+ " + l)))
                + "\n" + string.Join('\n', units));
        }
    }

    /// <summary>
    /// `plan --output json` of <paramref name="file"/> made while every control-plane unit stays active. On the loaded lab a scheduler
    /// or controller manager that fails to renew its lease exits, and systemd starts it again: a plan that reads it then rightly lists
    /// its start. When a unit was not active, or systemd restarted one during the plan (its NRestarts moved), the plan is made again
    /// once all are active (three attempts; the last plan is returned whatever it says).
    /// </summary>
    private static async Task<ProcessResult> SteadyPlanAsync(LabPaths paths, string file)
    {
        for (var attempt = 1; ; attempt++)
        {
            await UntilAsync(TimeSpan.FromSeconds(90), async () => AllActive(await ControlPlaneUnitsAsync(paths)));
            var before = await ControlPlaneUnitsAsync(paths);
            var plan = await BootstrapProcess.RunAsync("plan", "-f", file, "--output", "json");
            var after = await ControlPlaneUnitsAsync(paths);
            if (attempt == 3 || (AllActive(before) && before == after))
            {
                return plan;
            }

            Console.WriteLine($"plan attempt {attempt}: a control-plane unit restarted on its own meanwhile:\n{before}\n->\n{after}");
        }
    }

    private static readonly string[] ControlPlaneUnits = ["etcd.service", "kube-apiserver.service", "kube-controller-manager.service", "kube-scheduler.service"];

    /// <summary>Each control plane's units as `systemctl show -p Id -p ActiveState -p NRestarts` prints them, one line per host.</summary>
    private static async Task<string> ControlPlaneUnitsAsync(LabPaths paths)
    {
        var lines = new List<string>();
        foreach (var cp in ControlPlanes)
        {
            var show = await LabMachines.RunOrFailAsync(paths, Machine(cp), ["systemctl", "show", "-p", "Id", "-p", "ActiveState", "-p", "NRestarts", .. ControlPlaneUnits]);
            lines.Add($"{cp}: {string.Join(' ', show.Split('\n', StringSplitOptions.RemoveEmptyEntries))}");
        }

        return string.Join('\n', lines);
    }

    // Words split at spaces and at the newlines between hosts: split at spaces alone, each host's last "ActiveState=active"
    // ran into the next host's name, so no steady plan was ever seen and every plan of the step waited out its three attempts.
    private static bool AllActive(string units) =>
        units.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Where(w => w.StartsWith("ActiveState=", StringComparison.Ordinal)).All(w => w == "ActiveState=active");

    /// <summary>
    /// issue 12: a second, empty state directory (a second workstation) is refused by plan and init before anything is written
    /// on any host; `state pull` imports the cluster's identity, after which init changes nothing.
    /// </summary>
    public static async Task ASecondStateIsRefusedAndStatePullAdoptsTheClusterAsync(LabPaths paths, LabClusterFile cluster)
    {
        var second = Path.Combine(cluster.Directory, "second-state");
        var file = cluster.Variant("cluster-second-state.yaml", text => text.Replace("stateDirectory: " + cluster.State, "stateDirectory: " + second, StringComparison.Ordinal));
        var before = await KubernetesFilesAsync(paths);

        var plan = await BootstrapProcess.RunAsync("plan", "-f", file);
        var init = await BootstrapProcess.RunAsync("init", "-f", file);

        foreach (var run in new[] { plan, init })
        {
            Assert.True(run.ExitCode == 1, run.Output);
            Assert.Contains("cp1: already belongs to a cluster, but the cluster state in " + second + " holds none", run.Output, StringComparison.Ordinal);
            Assert.Contains("/etc/kubernetes/pki/ca.crt: the host has the certificate CN=kubernetes with SHA-256 fingerprint", run.Output, StringComparison.Ordinal);
            Assert.Contains("/etc/keepalived/keepalived.conf: the host's VRRP password", run.Output, StringComparison.Ordinal);
            Assert.Contains("bootstrap state pull -f CLUSTER_FILE --from cp1", run.Output, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(Path.Combine(second, "request.json")), "a refused run wrote the second state's PKI");
        Assert.Equal(before, await KubernetesFilesAsync(paths));

        var pull = await BootstrapProcess.RunAsync("state", "pull", "-f", file, "--from", "cp2");
        Assert.True(pull.ExitCode == 0, pull.Output);
        Assert.DoesNotContain("PRIVATE KEY", pull.Output, StringComparison.Ordinal);
        var again = await BootstrapProcess.RunAsync("init", "-f", file, "--output", "json");
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Empty(Changes(again.Stdout));
        Assert.Equal(before, await KubernetesFilesAsync(paths));
    }

    /// <summary>
    /// Two workstations, one cluster. While a run from the first holds the cluster's run lease (stopped with SIGSTOP in its first
    /// phase, its connections open), a run from a second workstation's state (pulled by the step before) is refused, naming the
    /// first run, and changes nothing. The lease names the SSH session that holds it. Once the first run is killed (SIGKILL: it
    /// cannot give the lease back), the second workstation's next run takes the stale lease over, changes nothing, and gives it back.
    /// </summary>
    public static async Task TwoWorkstationsNeverRunAtOnceAndAKilledRunLeavesNoLeaseAsync(LabPaths paths, LabClusterFile cluster)
    {
        var first = cluster.Derived("cluster-workstation-a.yaml", text => text);
        var second = Path.Combine(cluster.Directory, "second-state");
        var other = cluster.Derived("cluster-workstation-b.yaml", text => text.Replace("stateDirectory: " + cluster.State, "stateDirectory: " + second, StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(second, "pki", "ca.crt")), "the second workstation's state, pulled by the step before, is missing");
        var before = await KubernetesFilesAsync(paths);
        ProcessResult? refused = null;
        string? lease = null;
        string? session = null;
        var connections = -1;
        var stopped = false;
        try
        {
            await BootstrapProcess.RunAsync(TimeSpan.FromMinutes(5), async line =>
            {
                if (stopped || !line.Contains("\"event\":\"phase-start\"", StringComparison.Ordinal))
                {
                    return;
                }

                // A phase starts only once the run holds the lease on every control plane.
                stopped = true;
                var stop = await LocalProcess.RunAsync("pkill", ["-STOP", "-f", first], TimeSpan.FromSeconds(10));
                Assert.True(stop.ExitCode == 0, "no bootstrap process to stop: " + stop.Output);
                lease = await LabMachines.RunOrFailAsync(paths, Machine("cp2"), "cat", "/run/bootstrap/run.lease");
                connections = await ConnectionsOfAsync(first, Machine("cp2"));
                session = await LabMachines.RunOrFailAsync(paths, Machine("cp2"), "sh", "-c", "cat /proc/$1/comm", "sh", lease.Split(' ')[0]);
                refused = await BootstrapProcess.RunAsync("init", "-f", other, "--output", "json");
                var kill = await LocalProcess.RunAsync("pkill", ["-KILL", "-f", first], TimeSpan.FromSeconds(10));
                Assert.True(kill.ExitCode == 0, "no bootstrap process to kill: " + kill.Output);
            }, "init", "-f", first, "--output", "json");
        }
        finally
        {
            await LocalProcess.RunAsync("pkill", ["-KILL", "-f", first], TimeSpan.FromSeconds(10));
        }

        Assert.True(stopped, "the first run never started a phase");
        Assert.Contains($"`bootstrap init -f {first} --output json`", lease, StringComparison.Ordinal);
        Assert.Matches("^sshd(-session)?\n$", session);
        Assert.True(connections == 1, $"the first run held {connections} connections to cp2: its lease rides on the run's own connection (it took a second one)");
        Assert.NotNull(refused);
        Assert.True(refused.ExitCode == 1, refused.Output);
        Assert.Contains("[lease] the cluster is in use by another bootstrap run: pid ", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains($"`bootstrap init -f {first} --output json`, since ", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("cp1 (its SSH session there is process ", refused.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("phase-start", refused.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, await KubernetesFilesAsync(paths));

        var next = await BootstrapProcess.RunAsync("init", "-f", other, "--output", "json");
        Assert.True(next.ExitCode == 0, next.Output);
        Assert.Empty(Changes(next.Stdout));
        foreach (var cp in ControlPlanes)
        {
            var left = await LabMachines.RunAsync(paths, Machine(cp), "test", "-e", "/run/bootstrap/run.lease");
            Assert.True(left.ExitCode == 1, $"{cp}: the run lease was not given back");
        }
    }

    /// <summary>The SSH connections the bootstrap process whose command line holds <paramref name="pattern"/> has open to <paramref name="machine"/>, from this workstation's sockets.</summary>
    private static async Task<int> ConnectionsOfAsync(string pattern, LabMachine machine)
    {
        var pids = (await LocalProcess.RunAsync("pgrep", ["-f", pattern], TimeSpan.FromSeconds(10))).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(pids);
        var sockets = await LocalProcess.RunAsync("ss", ["-Htnp", "state", "established", "dst", machine.Address + ":22"], TimeSpan.FromSeconds(10));
        Assert.True(sockets.ExitCode == 0, sockets.Output);
        return sockets.Stdout.Split('\n').Count(line => pids.Any(pid => line.Contains($"pid={pid.Trim()},", StringComparison.Ordinal)));
    }

    /// <summary>
    /// A run reads no host before it holds the cluster's run lease: what it read while another run still held the lease would
    /// be what that run was replacing, and the plan made from it would miss that run's last change. Here the other run is its
    /// giving back: the lease's lock on cp1 is held while this run connects (its lease command waits up to 10 s for it), and
    /// meanwhile w1's sysctl drop-in is changed, the change that run would have made last. The run, once it holds the lease,
    /// must see the change and put the file back; before the fix it had read every host ahead, planned w1 from that and reported
    /// no change.
    /// </summary>
    public static async Task ARunReadsNoHostBeforeItHoldsTheLeaseAsync(LabPaths paths, LabClusterFile cluster)
    {
        const string DropIn = "/etc/sysctl.d/90-bootstrap-kubelet.conf";
        const string Holder = "bootstrap-test-lease-lock";
        var file = cluster.Derived("cluster-reads-after-lease.yaml", text => text);
        var log = Path.Combine(cluster.Directory, "reads-after-lease.log");
        File.Delete(log);
        var cp1 = Machine("cp1");
        var w1 = Machine("w1");
        var original = await LabMachines.RunOrFailAsync(paths, w1, "cat", DropIn);
        var readWhileHeld = false;
        await LabMachines.RunOrFailAsync(paths, cp1, "systemd-run", "--quiet", "--unit", Holder, "flock", "/run/bootstrap/run.lease.lock", "sleep", "60");
        try
        {
            var run = BootstrapProcess.RunAsync("init", "-f", file, "--output", "json", "--log-file", log);
            var waiting = Stopwatch.StartNew();
            // The lease command's flock, waiting: "[f]" keeps the pattern from matching the command line that runs pgrep.
            while ((await LabMachines.RunAsync(paths, cp1, "pgrep", "-f", "[f]lock -w 10 9")).ExitCode != 0)
            {
                Assert.False(run.IsCompleted, "the run ended before its lease command reached cp1: " + (run.IsCompleted ? run.Result.Output : string.Empty));
                Assert.True(waiting.Elapsed < TimeSpan.FromSeconds(60), "the run's lease command never reached cp1");
                await Task.Delay(200);
            }

            // Its connections are made meanwhile; a snapshot of w1 taken now would be logged within a few seconds.
            var held = Stopwatch.StartNew();
            while (!readWhileHeld && held.Elapsed < TimeSpan.FromSeconds(3))
            {
                await Task.Delay(200);
                readWhileHeld = File.Exists(log) && ReadShared(log).Split('\n').Any(l => l.Contains("reads in one snapshot", StringComparison.Ordinal) && l.Contains("\"w1\"", StringComparison.Ordinal));
            }

            await LabMachines.RunOrFailAsync(paths, w1, "sh", "-c", "echo '# changed while another run held the lease' >> " + DropIn);
            await LabMachines.RunOrFailAsync(paths, cp1, "systemctl", "stop", Holder);
            var result = await run;

            Assert.False(readWhileHeld, "w1 was read ahead while another run held the lease's lock on cp1");
            Assert.True(result.ExitCode == 0, result.Output);
            Assert.Contains(Changes(result.Stdout), c => c.StartsWith("kubelet-start w1 ", StringComparison.Ordinal) && c.Contains(DropIn, StringComparison.Ordinal));
            Assert.Equal(original, await LabMachines.RunOrFailAsync(paths, w1, "cat", DropIn));
        }
        finally
        {
            await LabMachines.RunAsync(paths, cp1, "systemctl", "stop", Holder);
            if (await LabMachines.RunOrFailAsync(paths, w1, "cat", DropIn) != original)
            {
                await LabMachines.RunOrFailAsync(paths, w1, "sed", "-i", "/# changed while another run held the lease/d", DropIn);
            }
        }
    }

    /// <summary>The text of a file another process is still writing.</summary>
    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>issue 12: an encryption key missing from an existing state is never made again: init refuses with the way out, which works.</summary>
    public static async Task AMissingEncryptionKeyIsRefusedAndRecoveredFromAHostAsync(LabPaths paths, LabClusterFile cluster)
    {
        var keys = Path.Combine(cluster.State, "secrets", "encryption-keys");
        var saved = await File.ReadAllBytesAsync(keys);
        File.Delete(keys);
        var before = await KubernetesFilesAsync(paths);

        var init = await BootstrapProcess.RunAsync("init", "-f", cluster.Path);

        // The identity guard sees it first: the hosts encrypt with a key the state does not hold.
        Assert.True(init.ExitCode == 1, init.Output);
        Assert.Contains("/etc/kubernetes/encryption-config.yaml: the host encrypts Secrets with key \"key1\"", init.Output, StringComparison.Ordinal);
        Assert.Contains("which the state does not hold: replacing it would leave every Secret it encrypted unreadable", init.Output, StringComparison.Ordinal);
        Assert.Contains("bootstrap state pull -f CLUSTER_FILE --from cp1", init.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(keys), "init made a new encryption key");
        Assert.Equal(before, await KubernetesFilesAsync(paths));

        var pull = await BootstrapProcess.RunAsync("state", "pull", "-f", cluster.Path, "--from", "cp3");
        Assert.True(pull.ExitCode == 0, pull.Output);
        Assert.Equal(saved, await File.ReadAllBytesAsync(keys));
        var again = await BootstrapProcess.RunAsync("init", "-f", cluster.Path, "--output", "json");
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Empty(Changes(again.Stdout));
    }

    /// <summary>
    /// issue 12: a flag kube-apiserver refuses, through the cluster file's extraArgs: the roll stops at the first host (the
    /// others keep their unit and their process), no request through the VIP fails meanwhile, and fixing the file converges.
    /// </summary>
    public static async Task ABadApiServerFlagStopsTheRollAtTheFirstHostAndTheFixConvergesAsync(LabPaths paths, LabClusterFile cluster)
    {
        var bad = cluster.Variant("cluster-bad-flag.yaml", text => text.Replace("  apiServer:\n", "  apiServer:\n    extraArgs:\n      no-such-flag: \"on\"\n", StringComparison.Ordinal));
        var before = await StartTimesAsync(paths);
        var (init, probes, failures) = await ProbingTheVipAsync(paths, cluster, () => BootstrapProcess.RunAsync("init", "-f", bad));

        Assert.True(init.ExitCode == 1, init.Output);
        Assert.Contains("unknown flag: --no-such-flag", init.Output, StringComparison.Ordinal);
        Assert.Contains("still runs its current configuration: control-plane/apiserver stopped rolling after", init.Output, StringComparison.Ordinal);
        var withFlag = new List<string>();
        foreach (var cp in ControlPlanes)
        {
            var unit = await LabMachines.RunOrFailAsync(paths, Machine(cp), "cat", "/etc/systemd/system/kube-apiserver.service");
            if (unit.Contains("no-such-flag", StringComparison.Ordinal))
            {
                withFlag.Add(cp);
            }
        }

        var failed = Assert.Single(withFlag);
        var after = await StartTimesAsync(paths);
        Assert.All(ControlPlanes.Where(cp => cp != failed), cp => Assert.Equal(before[cp], after[cp]));
        Assert.True(probes > 5 && failures.IsEmpty, $"{failures.Count} of {probes} reads through the VIP failed while the roll stopped:\n{string.Join('\n', failures.Take(5))}");

        var fixedRun = await BootstrapProcess.RunAsync("init", "-f", cluster.Path);
        Assert.True(fixedRun.ExitCode == 0, fixedRun.Output);
        foreach (var cp in ControlPlanes)
        {
            var direct = await KubectlAsync(paths, cluster.AdminKubeconfig, "--server", $"https://{Machine(cp).Address}:6443", "get", "--raw", "/readyz");
            Assert.True(direct.ExitCode == 0, $"{cp}: {direct.Output}");
        }
    }

    /// <summary>
    /// Ctrl-C (here SIGTERM, which the CLI takes the same way) in the middle of a run: `init` ends with 130 and what it was running
    /// on the hosts is stopped there. w1's `ctr` is made to hang (a script that sleeps) for the length of the step, so the run is
    /// interrupted while it waits for w1's images; before, the interrupted reads went on running on w1 (two `sleep 600` left there:
    /// the read-ahead's and the phase's own).
    /// </summary>
    public static async Task AnInterruptedRunStopsWhatItRanOnTheHostsAsync(LabPaths paths, LabClusterFile cluster)
    {
        var w1 = Machine("w1");
        var file = cluster.Derived("cluster-interrupted.yaml", text => text);
        await LabMachines.RunOrFailAsync(paths, w1, "sh", "-c",
            "mv /usr/bin/ctr /usr/bin/ctr.bootstrap-test && printf '#!/bin/sh\\nexec sleep 600\\n' > /usr/bin/ctr && chmod 755 /usr/bin/ctr");
        ProcessResult interrupted;
        var signalled = false;
        try
        {
            interrupted = await BootstrapProcess.RunAsync(TimeSpan.FromMinutes(3), async line =>
            {
                if (!signalled && line.Contains("\"event\":\"phase-start\",\"phase\":\"images\"", StringComparison.Ordinal))
                {
                    signalled = true;
                    // w1's `ctr images list` (read ahead since the run connected, and by the phase) is hanging by now.
                    await Task.Delay(TimeSpan.FromSeconds(2));
                    // SIGTERM, which the CLI takes as it takes Ctrl-C: a test run started in the background (as CI may start it)
                    // ignores SIGINT, and so does every process it starts.
                    var signal = await LocalProcess.RunAsync("pkill", ["-TERM", "-f", file], TimeSpan.FromSeconds(10));
                    Assert.True(signal.ExitCode == 0, "no bootstrap process to interrupt: " + signal.Output);
                }
            }, "init", "-f", file, "--output", "json");

            var left = await LeftRunningAsync(paths, w1, "sleep 60[0]");
            Assert.True(signalled, "the run never started its images phase:\n" + interrupted.Output);
            Assert.True(interrupted.ExitCode == 130, interrupted.Output);
            Assert.Matches(@"\[images\] interrupted: .*w1 cancelled", interrupted.Stderr);
            Assert.True(left.Length == 0, $"w1 still runs what the interrupted run started there, 5 s after it ended:\n{left}");
        }
        finally
        {
            await LabMachines.RunOrFailAsync(paths, w1, "sh", "-c",
                "if [ -e /usr/bin/ctr.bootstrap-test ]; then mv /usr/bin/ctr.bootstrap-test /usr/bin/ctr; fi; pkill -f 'sleep 60[0]'; exit 0");
        }
    }

    /// <summary>What <paramref name="machine"/> still runs matching <paramref name="pattern"/> (pgrep -af) once 5 s passed or it ran nothing.</summary>
    private static async Task<string> LeftRunningAsync(LabPaths paths, LabMachine machine, string pattern)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var left = await LabMachines.RunAsync(paths, machine, "pgrep", "-af", pattern);
            if (left.ExitCode == 1)
            {
                return string.Empty;
            }

            Assert.True(left.ExitCode == 0, $"{machine.Name}: pgrep exited {left.ExitCode}: {left.Stderr}");
            if (clock.Elapsed > TimeSpan.FromSeconds(5))
            {
                return left.Stdout;
            }

            await Task.Delay(200);
        }
    }

    /// <summary>
    /// A command Bootstrap gives up on (its timeout passed, or it was cancelled, as by Ctrl-C) is stopped on the host with what it
    /// started, and not left running: the lab logs in as root, for which sshd refuses SSH's "signal" request, and such commands
    /// went on running there with their channel open. Bootstrap's own transport, on a lab host; each command has a child in the
    /// background and one in the foreground.
    /// </summary>
    public static async Task ACommandGivenUpOnIsStoppedOnItsHostAsync(LabPaths paths)
    {
        var marker = "4242." + Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var host = await LabMachines.ConnectAsync(paths, Machine("cp2"));
        Core.Remote.RemoteCommand Sleeps(int first, TimeSpan? timeout = null) =>
            new(["sh", "-c", $"sleep {marker}{first} & sleep {marker}{first + 1}; wait"], timeout: timeout);

        var timedOut = await Assert.ThrowsAsync<TimeoutException>(() => host.RunAsync(Sleeps(1, TimeSpan.FromSeconds(1)), CancellationToken.None));
        using (var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.RunAsync(Sleeps(3), cancel.Token));
        }

        // pgrep's own command line holds the pattern, which does not match it ("[.]" is not ".").
        var left = await LeftRunningAsync(paths, Machine("cp2"), "sleep " + marker.Replace(".", "[.]", StringComparison.Ordinal));

        Assert.StartsWith("cp2: `sh -c", timedOut.Message, StringComparison.Ordinal);
        Assert.True(left.Length == 0, $"cp2 still runs what was given up on 5 s later:\n{left}");
    }

    /// <summary>issue 12: a host that stops answering mid-run (frozen: TCP still acknowledged, no process runs) ends the run within the command timeout, naming it.</summary>
    public static async Task AFrozenHostEndsTheRunWithinTheTimeoutNamingItAsync(LabClusterFile cluster)
    {
        var bounded = cluster.Variant("cluster-bounded.yaml", text => text.Replace("    connectTimeout: 10s", "    connectTimeout: 5s\n    commandTimeout: 20s", StringComparison.Ordinal));
        var frozen = false;
        var clock = Stopwatch.StartNew();
        ProcessResult ended;
        ProcessResult inspected;
        try
        {
            // Frozen once every host is connected and the first phase that reads w2 starts: a host that hangs mid-run.
            ended = await BootstrapProcess.RunAsync(TimeSpan.FromMinutes(5), async line =>
            {
                if (!frozen && line.Contains("\"event\":\"phase-start\",\"phase\":\"preflight\"", StringComparison.Ordinal))
                {
                    frozen = true;
                    var freeze = await LabScript.RunAsync(TimeSpan.FromSeconds(30), null, "freeze", "w2");
                    Assert.True(freeze.ExitCode == 0, freeze.Output);
                    clock.Restart();
                }
            }, "init", "-f", bounded, "--output", "json");
            // What the lab shows of a host that takes TCP but answers nothing, without logging in (the evidence a test
            // adds for a machine whose SSH runs no session).
            inspected = await LabScript.RunAsync(TimeSpan.FromSeconds(60), null, "inspect", "w2");
        }
        finally
        {
            var thaw = await LabScript.RunAsync(TimeSpan.FromSeconds(30), null, "thaw", "w2");
            Assert.True(thaw.ExitCode == 0, thaw.Output);
        }

        Assert.True(inspected.ExitCode == 0, inspected.Output);
        Assert.Contains("w2: nspawn ", inspected.Stdout, StringComparison.Ordinal);
        Assert.Contains("freezer FROZEN", inspected.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\d+ +D +__refrigerator .* sshd: /usr/sbin/sshd -D \[listener\]", inspected.Stdout);
        Assert.Contains("--- kernel stack of ", inspected.Stdout, StringComparison.Ordinal);
        // The machine's journal, read from the host while none of its processes runs.
        Assert.Matches(@"--- journal \(last 60 lines\)\n(.*\n)*\[ *\d+\.\d+\] w2 [^\[]+\[\d+\]: ", inspected.Stdout);

        Assert.True(frozen, "the run never started its first phase:\n" + ended.Output);
        Assert.True(ended.ExitCode == 1, ended.Output);
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), $"the run took {clock.Elapsed} after w2 froze");
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(ended.Output, "w2: `[^`]+` did not finish within 20s"), "the run did not name w2 and the command that hung:\n" + ended.Output);
    }

    /// <summary>issue 12: rotation of the encryption key; a Secret written before is readable after and stored in etcd under the new key.</summary>
    public static async Task RotatingTheEncryptionKeyKeepsEverySecretReadableUnderTheNewKeyAsync(LabPaths paths, LabClusterFile cluster)
    {
        var create = await KubectlAsync(paths, cluster.AdminKubeconfig, "create", "secret", "generic", "before-rotation", "--from-literal=word=swordfish");
        Assert.True(create.ExitCode == 0, create.Output);

        var rotate = await BootstrapProcess.RunAsync(TimeSpan.FromMinutes(20), "secrets", "rotate-encryption-key", "-f", cluster.Path);

        Assert.True(rotate.ExitCode == 0, rotate.Output);
        Assert.Contains("Secrets are encrypted with key2", rotate.Stdout, StringComparison.Ordinal);
        var read = await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "secret", "before-rotation", "-o", "jsonpath={.data.word}");
        Assert.Equal("swordfish", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(read.Stdout.Trim())));
        var stored = await LabMachines.RunOrFailAsync(paths, Machine("cp1"),
            "/usr/local/bin/etcdctl", "--endpoints=https://127.0.0.1:2379", "--cacert=/etc/kubernetes/pki/etcd/ca.crt",
            "--cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt", "--key=/etc/kubernetes/pki/etcd/healthcheck-client.key",
            "get", "/registry/secrets/default/before-rotation", "--print-value-only");
        Assert.StartsWith("k8s:enc:aescbc:v1:key2:", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("swordfish", stored, StringComparison.Ordinal);
        foreach (var cp in ControlPlanes)
        {
            var config = await LabMachines.RunOrFailAsync(paths, Machine(cp), "cat", "/etc/kubernetes/encryption-config.yaml");
            Assert.Contains("- name: key2", config, StringComparison.Ordinal);
            Assert.DoesNotContain("- name: key1", config, StringComparison.Ordinal);
        }

        Assert.Equal(["key2"], File.ReadAllLines(Path.Combine(cluster.State, "secrets", "encryption-keys")).Select(l => l.Split(' ')[0]));
        var again = await BootstrapProcess.RunAsync("init", "-f", cluster.Path, "--output", "json");
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Empty(Changes(again.Stdout));
    }

    // Binaries are staged by their digest, which differs with every build of Kubernetes.
    [System.Text.RegularExpressions.GeneratedRegex("-[0-9a-f]{16}$")]
    private static partial System.Text.RegularExpressions.Regex StoreDigest();

    /// <summary>What identifies the cluster on every host that holds part of it, by sha256: /etc/kubernetes and keepalived.conf.</summary>
    private static async Task<IReadOnlyDictionary<string, string>> KubernetesFilesAsync(LabPaths paths)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var machine in LabMachine.All.Where(m => m.Name != "spare"))
        {
            var sums = await LabMachines.RunOrFailAsync(paths, machine, "sh", "-c", "find /etc/kubernetes /etc/keepalived -type f -exec sha256sum {} + 2>/dev/null; true");
            foreach (var line in sums.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                files[$"{machine.Name}:{line[66..]}"] = line[..64];
            }
        }

        return files;
    }

    private static async Task<IReadOnlyDictionary<string, long>> StartTimesAsync(LabPaths paths)
    {
        var times = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var cp in ControlPlanes)
        {
            times[cp] = (await LabInspection.StartTimesAsync(paths, Machine(cp), "kube-apiserver.service"))["kube-apiserver.service"];
        }

        return times;
    }

    /// <summary>Runs <paramref name="action"/> while a client reads through the VIP every 200 ms; every failed read is kept with its time.</summary>
    public static async Task<(ProcessResult Result, int Probes, ConcurrentQueue<string> Failures)> ProbingTheVipAsync(LabPaths paths, LabClusterFile cluster, Func<Task<ProcessResult>> action)
    {
        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentQueue<string>();
        var probes = 0;
        var probing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var read = await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "--raw", "/api/v1/namespaces/default");
                Interlocked.Increment(ref probes);
                if (read.ExitCode != 0 || !read.Stdout.Contains("\"name\":\"default\"", StringComparison.Ordinal))
                {
                    failures.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} exit {read.ExitCode}: {read.Output.Trim()}");
                }

                await Task.Delay(200);
            }
        });
        var result = await action();
        await stop.CancelAsync();
        await probing;
        return (result, probes, failures);
    }
}
