using System.Text.Json;
using Bootstrap.Lab.Tests.Lab;

namespace Bootstrap.Lab.Tests.Preflight;

/// <summary>
/// <c>bootstrap preflight</c> / <c>bootstrap init phase preflight</c>, the real CLI as a process, against the freshly booted
/// lab machines described by examples/lab-cluster.yaml: the first step of <see cref="Init.InitLabTests"/>, before anything
/// is installed. It leaves the machines as it found them.
/// </summary>
internal static class PreflightChecks
{
    // scripts/lab turns forwarding on in each machine's network namespace, as an admin prepares a node;
    // the test turns it off on w1 to see preflight refuse it, as kubeadm does.
    private const string IpForward = "FileContent--proc-sys-net-ipv4-ip_forward";

    private static readonly string[] Nodes = ["cp1", "cp2", "cp3", "w1", "w2"];
    private static readonly string[] LoadBalancers = ["lb1", "lb2"];
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    private static string ClusterFile => Path.Combine(LabScript.RepoRoot, "examples", "lab-cluster.yaml");

    private static Task<ProcessResult> BootstrapAsync(params string[] args) => BootstrapProcess.RunAsync(RunTimeout, args);

    /// <summary>The prepared lab passes; forwarding off or a foreign listener fails with exit 3 until ignored; --accept-new records the lab's own keys.</summary>
    public static async Task OnTheFreshLabAsync(LabPaths paths)
    {
        var cp2 = LabMachine.All.Single(m => m.Name == "cp2");
        var w1 = LabMachine.All.Single(m => m.Name == "w1");

        // 1. The lab as booted: every check a lab machine has passes.
        var clean = await BootstrapAsync("preflight", "-f", ClusterFile, "--output", "json");
        Assert.True(clean.ExitCode == 0, clean.Output);

        // 2. Forwarding off on w1: only w1 fails, only on that check, exit 3; every other check of every node passes.
        await LabMachines.RunOrFailAsync(paths, w1, "sysctl", "-q", "-w", "net.ipv4.ip_forward=0");
        var first = await BootstrapAsync("preflight", "-f", ClusterFile, "--output", "json");
        Assert.True(first.ExitCode == 3, first.Output);
        var events = ParseEvents(first.Stdout);
        Assert.Equal(["phase-start", .. Enumerable.Repeat("host-end", 7), "phase-end", "run-end"], events.Select(e => e.GetProperty("event").GetString()));
        var hosts = HostEnds(events);
        var bridge = Directory.Exists("/proc/sys/net/bridge");
        foreach (var node in Nodes)
        {
            var checks = Checks(hosts[node]);
            if (node == "w1")
            {
                Assert.Equal("failed", hosts[node].GetProperty("status").GetString());
                Assert.Equal($"{node}: 1 preflight check(s) failed: {IpForward}", hosts[node].GetProperty("error").GetString());
                Assert.Equal("ERROR", checks[IpForward]);
            }
            else
            {
                Assert.Equal("unchanged", hosts[node].GetProperty("status").GetString());
                Assert.Equal("OK", checks[IpForward]);
            }

            string[] mustPass =
            [
                "IsPrivilegedUser", "SystemVerification", "NumCPU", "Mem", "Swap", "Port-10250",
                "FileExisting-systemctl", "FileExisting-containerd", "FileExisting-runc", "FileExisting-iptables",
                "FileExisting-conntrack", "FileExisting-socat", "FileExisting-ethtool", "FileExisting-ebtables",
                "ClockSkew", "HostnameUnique", "MACUnique",
                // scripts/lab up sets the host kernel's settings the kubelet needs: read right, they are what it needs.
                "KernelDefaults",
            ];
            Assert.All(mustPass, name => Assert.True(checks.GetValueOrDefault(name) == "OK", $"{node}: {name} is {checks.GetValueOrDefault(name)}"));
            Assert.Equal(bridge ? "OK" : "ERROR", checks["KernelModule-br_netfilter"]);
            // nspawn machines have no DMI table of their own: a warning, not a crash.
            Assert.Contains(checks["ProductUUIDUnique"], new[] { "OK", "WARNING" });
        }

        foreach (var cp in new[] { "cp1", "cp2", "cp3" })
        {
            var checks = Checks(hosts[cp]);
            Assert.All(new[] { "Port-6443", "Port-2379", "Port-2380", "Port-10257", "Port-10259" }, name => Assert.Equal("OK", checks[name]));
        }

        foreach (var lb in LoadBalancers)
        {
            var checks = Checks(hosts[lb]);
            Assert.Equal("unchanged", hosts[lb].GetProperty("status").GetString());
            Assert.Equal("OK", checks["Port-6443"]);
            Assert.Equal("OK", checks["FileExisting-haproxy"]);
            Assert.Equal("OK", checks["FileExisting-keepalived"]);
            Assert.False(checks.ContainsKey(IpForward));
        }

        Assert.Equal(3, events[^1].GetProperty("exitCode").GetInt32());

        // Forwarding ignored: the lab passes, exit 0, the ignored error shown as a warning on w1.
        var ignored = await BootstrapAsync("preflight", "-f", ClusterFile, "--ignore-preflight-errors", IpForward);
        Assert.True(ignored.ExitCode == 0, ignored.Output);
        Assert.Contains($"  w1: unchanged", ignored.Stdout, StringComparison.Ordinal);
        Assert.Contains($"    [WARNING {IpForward}]:", ignored.Stdout, StringComparison.Ordinal);
        await LabMachines.RunOrFailAsync(paths, w1, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");

        // 3. Something else listens on 6443 on cp2: Port-6443 fails there, and only there.
        await LabMachines.RunOrFailAsync(paths, cp2,
            "systemd-run", "--unit=preflight-test-6443", "socat", "TCP-LISTEN:6443,reuseaddr,fork", "SYSTEM:true");
        await WaitForListenerAsync(paths, cp2, 6443);
        var busy = await BootstrapAsync("init", "phase", "preflight", "-f", ClusterFile);
        Assert.True(busy.ExitCode == 3, busy.Output);
        Assert.Contains("  cp2: failed", busy.Stdout, StringComparison.Ordinal);
        Assert.Contains("cp2: 1 preflight check(s) failed: Port-6443", busy.Stdout, StringComparison.Ordinal);
        Assert.Contains("    [ERROR Port-6443]: port 6443 is in use by socat", busy.Stdout, StringComparison.Ordinal);
        Assert.Contains("ERR [preflight] cp2: [ERROR Port-6443]: port 6443 is in use by socat", busy.Stderr, StringComparison.Ordinal);
        Assert.All(new[] { "lb1", "lb2", "cp1", "cp3", "w1", "w2" },
            host => Assert.Contains($"  {host}: unchanged", busy.Stdout, StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", busy.Output, StringComparison.Ordinal);

        // 4. …and passes once that check is ignored too.
        var both = await BootstrapAsync("init", "phase", "preflight", "-f", ClusterFile, "--ignore-preflight-errors=Port-6443");
        Assert.True(both.ExitCode == 0, both.Output);
        Assert.Contains("[WARNING Port-6443]: port 6443 is in use by socat (error ignored by --ignore-preflight-errors)", both.Stdout, StringComparison.Ordinal);

        await LabMachines.RunOrFailAsync(paths, cp2, "systemctl", "stop", "preflight-test-6443");

        // 5. An empty known_hosts with the strict policy: every host is refused and nothing runs; with
        //    --accept-new the keys are recorded (and they are the keys the lab gave its machines).
        await AcceptNewRecordsTheLabsOwnHostKeysAsync(paths);
    }

    private static async Task AcceptNewRecordsTheLabsOwnHostKeysAsync(LabPaths paths)
    {
        var directory = Directory.CreateTempSubdirectory("bootstrap-accept-new-").FullName;
        try
        {
            var knownHosts = Path.Combine(directory, "known_hosts");
            await File.WriteAllTextAsync(knownHosts, string.Empty);
            var file = Path.Combine(directory, "cluster.yaml");
            var text = await File.ReadAllTextAsync(ClusterFile);
            Assert.Contains("knownHosts: /var/lib/bootstrap-lab/known_hosts", text, StringComparison.Ordinal);
            await File.WriteAllTextAsync(file, text.Replace("knownHosts: /var/lib/bootstrap-lab/known_hosts", "knownHosts: " + knownHosts, StringComparison.Ordinal));

            var refused = await BootstrapAsync("preflight", "-f", file);
            Assert.True(refused.ExitCode == 1, refused.Output);
            Assert.Contains("no phase ran and nothing was changed", refused.Output, StringComparison.Ordinal);
            Assert.Empty((await File.ReadAllTextAsync(knownHosts)).Trim());

            var accepted = await BootstrapAsync("preflight", "-f", file, "--accept-new");
            Assert.True(accepted.ExitCode == 0, accepted.Output);
            var recorded = (await File.ReadAllLinesAsync(knownHosts)).Where(l => l.Length > 0).ToList();
            Assert.Equal(7, recorded.Count);
            var labKeys = (await File.ReadAllLinesAsync(paths.KnownHosts)).Select(l => l.Split(' ')).Where(w => w.Length >= 3).Select(w => w[2]).ToHashSet(StringComparer.Ordinal);
            Assert.All(recorded, line => Assert.Contains(line.Split(' ')[2], labKeys));

            var again = await BootstrapAsync("preflight", "-f", file);
            Assert.True(again.ExitCode == 0, again.Output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static List<JsonElement> ParseEvents(string stdout) => BootstrapProcess.Events(stdout);

    private static Dictionary<string, JsonElement> HostEnds(List<JsonElement> events) =>
        events.Where(e => e.GetProperty("event").GetString() == "host-end").ToDictionary(e => e.GetProperty("host").GetString()!);

    /// <summary>Check name → OK / WARNING / ERROR, from lines like <c>[ERROR Port-6443]: …</c>.</summary>
    private static Dictionary<string, string> Checks(JsonElement hostEnd) =>
        hostEnd.GetProperty("details").EnumerateArray()
            .Select(d => d.GetString()!)
            .Select(line => line[1..line.IndexOf(']', StringComparison.Ordinal)].Split(' ', 2))
            .ToDictionary(parts => parts[1], parts => parts[0]);

    private static async Task WaitForListenerAsync(LabPaths paths, LabMachine machine, int port)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var listening = await LabMachines.RunOrFailAsync(paths, machine, "ss", "-ltnH", $"sport = :{port}");
            if (listening.Trim().Length > 0)
            {
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"{machine.Name}: nothing listens on {port}");
    }
}
