using System.Globalization;
using Bootstrap.Core.Remote;
using Bootstrap.Ssh;
using Bootstrap.Ssh.HostKeys;
using Serilog;

namespace Bootstrap.Lab.Tests.Lab;

/// <summary>Reaches lab machines through Bootstrap's own SSH transport, host keys verified.</summary>
internal static class LabMachines
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    public static async Task<SshHost> ConnectAsync(LabPaths paths, LabMachine machine, string user = "root", int attempts = 3)
    {
        var settings = new SshHostSettings
        {
            Name = machine.Name,
            Address = machine.Address,
            User = user,
            PrivateKeyPath = paths.Key,
            // Eight machines share the host's cores with the test; right after a boot, or while the test uploads
            // to all of them at once, SSH.NET's session operations (which use this timeout) can take longer than 10 s.
            ConnectTimeout = TimeSpan.FromSeconds(30),
            ConnectAttempts = attempts,
        };
        // Never accept-new: scripts/lab wrote every machine's host keys before its first boot.
        var trust = new HostKeyTrust(paths.KnownHosts, acceptNew: false, Log.Logger);
        // Room for every attempt to run into its timeout (a session that does not run `id -u` in time
        // is retried on a new connection), plus the backoff between attempts.
        using var cts = new CancellationTokenSource((settings.ConnectTimeout * attempts) + TimeSpan.FromSeconds(30));
        return await SshHost.ConnectAsync(settings, trust, new SecretRedactor(), Log.Logger, cts.Token);
    }

    public static async Task<CommandResult> RunAsync(LabPaths paths, LabMachine machine, params string[] argv)
    {
        await using var host = await ConnectAsync(paths, machine);
        using var cts = new CancellationTokenSource(CommandTimeout);
        return await host.RunAsync(new RemoteCommand(argv), cts.Token);
    }

    public static async Task<string> RunOrFailAsync(LabPaths paths, LabMachine machine, params string[] argv)
    {
        var result = await RunAsync(paths, machine, argv);
        Assert.True(result.Succeeded, $"{machine.Name}: {string.Join(' ', argv)} exited {result.ExitCode}: {result.Stderr}");
        return result.Stdout;
    }

    public static async Task<bool> AnswersAsync(LabPaths paths, LabMachine machine)
    {
        try
        {
            await using var host = await ConnectAsync(paths, machine, attempts: 1);
            return true;
        }
        catch (SshConnectException)
        {
            return false;
        }
    }

    /// <summary>
    /// Every machine, in parallel: answers SSH as root and as the non-root sudo user, has systemd
    /// `running`, the right host name and address, runs an artifact uploaded to it, and takes a root-owned
    /// file uploaded by the non-root user.
    /// </summary>
    public static async Task AssertEveryMachineServesAsync(LabPaths paths)
    {
        var kubectl = Path.Combine(paths.Artifacts, "kubectl");
        var checks = LabMachine.All.Select(async machine =>
        {
            try
            {
                await CheckMachineAsync(paths, machine, kubectl);
                return null;
            }
            catch (Exception e)
            {
                return $"{machine.Name}: {e.Message}";
            }
        });
        var failures = (await Task.WhenAll(checks)).OfType<string>().ToList();
        if (failures.Count > 0)
        {
            // A machine that did not serve is looked at through OpenSSH (scripts/lab ssh), not our transport: whether it
            // answers there, how fast, what it runs and what its sshd logged tell a slow host from a stuck client.
            var failed = LabMachine.All.Where(m => failures.Exists(f => f.StartsWith(m.Name + ":", StringComparison.Ordinal)));
            var evidence = await Task.WhenAll(failed.Select(DiagnoseAsync));
            failures.Add($"the test host's load: {File.ReadAllText("/proc/loadavg").Trim()}");
            failures.AddRange(evidence);
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    /// <summary>
    /// The machine as the host sees it without logging in (<c>scripts/lab inspect</c>: its processes' kernel waits and
    /// stacks, its journal), taken first, while the machine is still as the failure found it; then as OpenSSH sees it
    /// (whether and how fast it answers, its load, top processes and sshd's journal). A machine whose sshd takes logins but
    /// runs no session shows nothing through SSH.
    /// </summary>
    public static async Task<string> DiagnoseAsync(LabMachine machine)
    {
        const string Probe = "id -u; cat /proc/loadavg; systemctl is-system-running; "
            + "ps -eo pid,stat,etime,time,args --sort=-time | head -n 15; journalctl -b -u ssh.service -n 20 --no-pager -o short-monotonic";
        string fromHost;
        try
        {
            var inspect = await LabScript.RunAsync(TimeSpan.FromSeconds(60), null, "inspect", machine.Name);
            fromHost = $"{machine.Name} seen from the host (scripts/lab inspect, exit {inspect.ExitCode}):\n{inspect.Output.TrimEnd()}";
        }
        catch (TimeoutException e)
        {
            fromHost = $"{machine.Name} seen from the host: {e.Message}";
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var probe = await LabScript.RunAsync(TimeSpan.FromSeconds(60), null, "ssh", machine.Name, Probe);
            return string.Create(CultureInfo.InvariantCulture, $"{machine.Name} through OpenSSH: exit {probe.ExitCode} after {watch.Elapsed.TotalSeconds:0.0} s\n{probe.Output.TrimEnd()}\n{fromHost}");
        }
        catch (TimeoutException e)
        {
            return $"{machine.Name} through OpenSSH: {e.Message}\n{fromHost}";
        }
    }

    private static async Task CheckMachineAsync(LabPaths paths, LabMachine machine, string kubectl)
    {
        using var cts = new CancellationTokenSource(CommandTimeout);
        var token = cts.Token;
        await using (var root = await ConnectAsync(paths, machine))
        {
            Assert.Equal("running", (await root.RunAsync(RemoteCommand.Of("systemctl", "is-system-running"), token)).Stdout.Trim());
            Assert.Equal(machine.Name, (await root.RunAsync(RemoteCommand.Of("hostname"), token)).Stdout.Trim());
            var addresses = (await root.RunAsync(RemoteCommand.Of("ip", "-4", "-o", "addr", "show", "dev", "eth0"), token)).Stdout;
            Assert.Contains($" {machine.Address}/24 ", addresses, StringComparison.Ordinal);

            var target = new FileSpec("/usr/local/bin/kubectl", Mode: 0b111_101_101);
            await using (var file = File.OpenRead(kubectl))
            {
                Assert.True((await root.UploadAsync(file, target, token)).Changed, "first upload of kubectl did not change the host");
            }

            await using (var file = File.OpenRead(kubectl))
            {
                Assert.False((await root.UploadAsync(file, target, token)).Changed, "an identical second upload was not skipped");
            }

            var version = await root.RunAsync(RemoteCommand.Of("/usr/local/bin/kubectl", "version", "--client", "--short"), token);
            Assert.Equal("Client Version: v1.20.2", version.Stdout.Trim());
            var etcd = await root.RunAsync(RemoteCommand.Of("etcd", "--version"), token);
            Assert.Contains("etcd Version: 3.4.", etcd.Stdout, StringComparison.Ordinal);
        }

        await using var lab = await ConnectAsync(paths, machine, user: "lab");
        Assert.Equal("1000", (await lab.RunAsync(RemoteCommand.Of("id", "-u"), token)).Stdout.Trim());
        Assert.Equal("0", (await lab.RunAsync(RemoteCommand.Of("id", "-u").AsRoot(), token)).Stdout.Trim());

        // A non-root upload streams through a `dd` run by sudo into a root-owned temp file (the machine's own dd
        // must take conv=nocreat and status=none) and lands root-owned 0600; a small one is one `sudo sh` with the
        // content on its standard input.
        var secret = new FileSpec("/etc/bootstrap-lab-sudo-upload", Mode: 0b110_000_000);
        var content = System.Security.Cryptography.RandomNumberGenerator.GetBytes((1 << 20) + (256 * 1024)); // over the 1 MiB a single command takes
        var small = System.Security.Cryptography.RandomNumberGenerator.GetBytes(2048);
        try
        {
            Assert.True((await lab.UploadAsync(content, secret, token)).Changed, "the sudo upload did not change the host");
            Assert.Equal("600 root root", (await lab.RunAsync(new RemoteCommand(["stat", "-c", "%a %U %G", secret.Path], sudo: true), token)).Stdout.Trim());
            Assert.Equal(content, await lab.DownloadAsync(secret.Path, token));
            Assert.False((await lab.UploadAsync(content, secret, token)).Changed, "an identical second sudo upload was not skipped");
            Assert.True((await lab.UploadAsync(small, secret, token)).Changed, "the small sudo upload did not change the host");
            Assert.Equal("600 root root", (await lab.RunAsync(new RemoteCommand(["stat", "-c", "%a %U %G", secret.Path], sudo: true), token)).Stdout.Trim());
            Assert.Equal(small, await lab.DownloadAsync(secret.Path, token));
            Assert.False((await lab.UploadAsync(small, secret, token)).Changed, "an identical second small sudo upload was not skipped");
        }
        finally
        {
            await lab.RunAsync(new RemoteCommand(["rm", "-f", "--", secret.Path], sudo: true), token);
        }
    }
}
