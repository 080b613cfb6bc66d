using Bootstrap.Core.Remote;
using Bootstrap.Lab.Tests.Preflight;

namespace Bootstrap.Lab.Tests.Lab;

/// <summary>scripts/lab up/down/stop/start against the real machines.</summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Lab")]
public sealed class LabLifecycleTests
{
    [Fact]
    public async Task Second_up_reuses_the_running_lab_and_down_leaves_no_trace()
    {
        await LabInUse.WaitUntilFreeAsync();
        var paths = await LabScript.PathsAsync();
        try
        {
            await LabScript.UpOrFailAsync();
            var first = HostTraces.Read(paths);
            Assert.Equal(LabMachine.All.Count, first.NspawnPids.Count);
            Assert.Equal(LabMachine.All.Count, first.Namespaces.Count);
            Assert.Equal(LabMachine.All.Count + 1, first.Links.Count);

            var again = await LabScript.UpAsync();
            Assert.True(again.ExitCode == 0, again.Output);
            Assert.Contains("image: cached", again.Stderr, StringComparison.Ordinal);
            Assert.Contains("artifacts: cached", again.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("booting", again.Stderr, StringComparison.Ordinal);
            Assert.Equal(first, HostTraces.Read(paths), HostTracesComparer.Instance);

            await LabMachines.AssertEveryMachineServesAsync(paths);
        }
        finally
        {
            await LabScript.DownOrFailAsync();
        }

        var after = HostTraces.Read(paths);
        Assert.True(after.IsEmpty, "left behind: " + after);
        Assert.False(File.Exists(Path.Combine(paths.Run, "sysctl.saved")), "host sysctls were not restored");
    }

    /// <summary>
    /// A machine's journal keeps taking messages, and its sshd keeps taking logins, after its console hangs up. The console
    /// (a pty of nspawn's) is hung up by the getty started on it at every boot; a journald that had opened it (through
    /// the lab's /dev/kmsg, which points at the console for kubelet) then spun on the dead descriptor, took no message
    /// from anyone again, and every login blocked in sshd's first syslog write. Which of journald and the lab's prep came
    /// first at boot was up to the load; restarting journald after boot makes the late order happen every time.
    /// </summary>
    [Fact]
    public async Task A_machine_keeps_logging_and_taking_logins_after_its_console_hangs_up()
    {
        await LabInUse.WaitUntilFreeAsync();
        var paths = await LabScript.PathsAsync();
        var spare = LabMachine.All.Single(m => m.Name == "spare");
        try
        {
            await LabScript.UpOrFailAsync();
            await using (var root = await LabMachines.ConnectAsync(paths, spare))
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
                foreach (var unit in new[] { "systemd-journald.service", "console-getty.service" })
                {
                    var restart = await root.RunAsync(RemoteCommand.Of("systemctl", "restart", unit), cts.Token);
                    Assert.True(restart.Succeeded, $"spare: systemctl restart {unit} exited {restart.ExitCode}: {restart.Stderr}");
                }

                const string Flood = "for i in $(seq 1000); do logger -t lab-console-hangup \"line $i\"; done; "
                    + "journalctl --sync && journalctl -b -t lab-console-hangup -n 1 -o cat";
                string last;
                try
                {
                    last = (await root.RunAsync(RemoteCommand.Of("sh", "-c", Flood), cts.Token)).Stdout.Trim();
                }
                catch (OperationCanceledException)
                {
                    Assert.Fail("spare: 1000 syslog lines and a journal sync did not go through within a minute after the "
                        + "console hung up\n" + await LabMachines.DiagnoseAsync(spare));
                    throw;
                }

                Assert.Equal("line 1000", last);
            }

            Assert.True(await LabMachines.AnswersAsync(paths, spare), "spare takes no new login after its console hung up");
        }
        finally
        {
            await LabScript.DownOrFailAsync();
        }
    }

    [Fact]
    public async Task Stopped_machine_keeps_its_disk_and_down_then_up_gives_fresh_machines()
    {
        await LabInUse.WaitUntilFreeAsync();
        var paths = await LabScript.PathsAsync();
        var w1 = LabMachine.All.Single(m => m.Name == "w1");
        try
        {
            await LabScript.UpOrFailAsync();
            // Like real machines, no two share a cgroup: each machine's systemd and kubelet see only its own units and pods.
            foreach (var machine in LabMachine.All)
            {
                var strays = MachineCgroups.Strays(machine.Name);
                Assert.True(strays.Count == 0, $"{machine.Name}'s processes outside its own cgroups:\n{string.Join('\n', strays.Take(20))}");
            }

            await LabMachines.RunOrFailAsync(paths, w1, "sh", "-c", "echo kept > /var/tmp/marker && sync");

            var stop = await LabScript.RunAsync(LabScript.DownTimeout, null, "stop", "w1");
            Assert.True(stop.ExitCode == 0, stop.Output);
            Assert.False(await LabMachines.AnswersAsync(paths, w1), "w1 still answers after stop");
            Assert.Equal(LabMachine.All.Count - 1, HostTraces.Read(paths).NspawnPids.Count);
            // A power-off leaves no cgroup behind: the next boot does not find the last one's units, scopes and pods.
            Assert.Empty(MachineCgroups.Trees("w1"));

            var start = await LabScript.RunAsync(LabScript.UpTimeout, null, "start", "w1");
            Assert.True(start.ExitCode == 0, start.Output);
            Assert.Equal("kept", (await LabMachines.RunOrFailAsync(paths, w1, "cat", "/var/tmp/marker")).Trim());
            Assert.Empty(MachineCgroups.Strays("w1"));

            await LabScript.DownOrFailAsync();
            await LabScript.UpOrFailAsync();
            var fresh = await LabMachines.RunAsync(paths, w1, "test", "-e", "/var/tmp/marker");
            Assert.True(fresh.ExitCode == 1, "the marker survived down/up: the machine is not fresh");
        }
        finally
        {
            await LabScript.DownOrFailAsync();
        }

        Assert.True(HostTraces.Read(paths).IsEmpty, "left behind: " + HostTraces.Read(paths));
    }

    [Fact]
    public async Task Up_that_fails_on_one_machine_names_it_says_why_and_tears_everything_down()
    {
        await LabInUse.WaitUntilFreeAsync();
        var paths = await LabScript.PathsAsync();
        var fault = new Dictionary<string, string>
        {
            ["BOOTSTRAP_LAB_FAULT"] = "w2:no-ssh",
            ["BOOTSTRAP_LAB_WAIT_TIMEOUT"] = "40",
        };
        ProcessResult up;
        HostTraces after;
        try
        {
            up = await LabScript.UpAsync(fault);
            after = HostTraces.Read(paths);
        }
        finally
        {
            // Whatever happened, the next test must not find the lab half up.
            if (!HostTraces.Read(paths).IsEmpty)
            {
                await LabScript.DownOrFailAsync();
            }
        }

        Assert.Equal(1, up.ExitCode);
        Assert.Contains("w2: no SSH answer at 192.168.56.32:22", up.Stderr, StringComparison.Ordinal);
        Assert.Contains("tearing everything down", up.Stderr, StringComparison.Ordinal);
        // Only w2 is blamed. The teardown after it may name other machines (a machine still booting under load can take
        // longer than 30 s to power off and is killed, which is said), so only what comes before it is checked.
        var blame = up.Stderr[..up.Stderr.IndexOf("tearing everything down", StringComparison.Ordinal)];
        Assert.DoesNotContain("cp1:", blame, StringComparison.Ordinal);
        Assert.True(after.IsEmpty, "a failed up left behind: " + after);
    }
}
