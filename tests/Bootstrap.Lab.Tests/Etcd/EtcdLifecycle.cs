using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Bootstrap.Core.Remote;
using Bootstrap.Lab.Tests.Init;
using Bootstrap.Lab.Tests.Lab;
using static Bootstrap.Lab.Tests.Init.LabInspection;

namespace Bootstrap.Lab.Tests.Etcd;

/// <summary>
/// etcd day 2 (issue 14), steps of <see cref="InitLabTests"/> run last on its cluster (by then etcd is trixie's 3.5, after the
/// upgrade and rollback): grow 3 → 4 with the spare as a control plane (a learner, promoted; the other members keep their
/// processes) with scheduled backups, shrink back (the removed member's data gone, writes go on), a removal that would leave
/// 1 of 2 healthy refused, a member whose data was wiped replaced by init, a control plane reset and brought back, then a
/// snapshot saved to the workstation and restored after quorum loss (a damaged copy refused before anything stops).
/// Everything is checked from outside Bootstrap: etcdctl, systemctl, kubectl.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class EtcdLifecycle
{
    private static readonly string[] Members = ["cp1", "cp2", "cp3"];

    public static async Task GrowingToFourAddsTheSpareAsALearnerAndRestartsNoOtherMemberAsync(LabPaths paths, LabClusterFile cluster)
    {
        var grown = cluster.Derived("cluster-grown.yaml", text => WithBackups(WithSpare(text)));
        var pids = await EtcdPidsAsync(paths);

        var plan = await BootstrapProcess.RunAsync("plan", "-f", grown);
        Assert.True(plan.ExitCode == 0, plan.Output);
        Assert.Contains("would add etcd member spare (https://192.168.56.41:2380) as a learner", plan.Stdout, StringComparison.Ordinal);
        Assert.Contains("would promote etcd member spare to a voting member", plan.Stdout, StringComparison.Ordinal);

        var init = await BootstrapProcess.RunAsync("init", "-f", grown, "--output", "json");
        Assert.True(init.ExitCode == 0, init.Output);
        var changes = Changes(init.Stdout);
        Assert.Contains(("etcd/membership", "spare", "etcd-member-add"), changes);
        Assert.Contains(("etcd/member", "spare", "etcd-member-promote"), changes);
        Assert.DoesNotContain(changes, c => c.Phase is "etcd/membership" or "etcd/member" && Members.Contains(c.Host));
        Assert.Equal(pids, await EtcdPidsAsync(paths));

        var members = await MemberListAsync(paths, "cp1");
        Assert.Equal(["cp1", "cp2", "cp3", "spare"], members.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.All(members, m => Assert.False(m.Learner, $"{m.Name} is still a learner"));
        var status = await BootstrapProcess.RunAsync("etcd", "status", "-f", grown, "--output", "json");
        Assert.True(status.ExitCode == 0, status.Output);
        Assert.Equal(4, JsonDocument.Parse(status.Stdout).RootElement.GetProperty("members").GetArrayLength());

        // The backup timer runs on every member; three runs on cp1 keep the newest two, each a snapshot etcdctl reads.
        foreach (var member in new[] { "cp1", "cp2", "cp3", "spare" })
        {
            Assert.Equal("active", (await LabMachines.RunAsync(paths, Machine(member), "systemctl", "is-active", "etcd-backup.timer")).Stdout.Trim());
        }

        for (var run = 0; run < 3; run++)
        {
            var backup = await LabMachines.RunAsync(paths, Machine("cp1"), "systemctl", "start", "etcd-backup.service");
            if (!backup.Succeeded)
            {
                // What the script said is in its journal, not in systemctl's answer.
                var journal = await LabMachines.RunAsync(paths, Machine("cp1"), "journalctl", "-u", "etcd-backup.service", "-n", "40", "--no-pager");
                Assert.Fail($"cp1: backup run {run + 1} of 3 failed: {backup.Stderr.Trim()}\n{journal.Stdout}");
            }

            await Task.Delay(TimeSpan.FromSeconds(1.2));
        }

        var kept = (await LabMachines.RunOrFailAsync(paths, Machine("cp1"), "ls", "-1", "/var/lib/etcd-backup")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, kept.Length);
        Assert.All(kept, k => Assert.Matches("^lab-cp1-[0-9]{8}T[0-9]{6}Z\\.db$", k));
        Assert.Contains("\"revision\"", await LabMachines.RunOrFailAsync(paths, Machine("cp1"), "/usr/local/bin/etcdctl", "snapshot", "status", "/var/lib/etcd-backup/" + kept[0], "-w", "json"), StringComparison.Ordinal);
        var withBackups = await BootstrapProcess.RunAsync("etcd", "status", "-f", grown);
        Assert.True(withBackups.ExitCode == 0, withBackups.Output);
        Assert.True(
            System.Text.RegularExpressions.Regex.IsMatch(withBackups.Stdout, "cp1: timer active, last run [0-9: -]+ \\(success\\), next [0-9: -]+, 2 snapshots, newest lab-cp1-"),
            withBackups.Stdout);
    }

    public static async Task ShrinkingBackToThreeRemovesTheSparesMemberAndDataAsync(LabPaths paths, LabClusterFile cluster)
    {
        var init = await BootstrapProcess.RunAsync("init", "-f", cluster.Path, "--output", "json");
        Assert.True(init.ExitCode == 0, init.Output);
        var changes = Changes(init.Stdout);
        Assert.Contains(changes, c => c.Phase == "etcd/membership" && c.Kind == "etcd-member-remove");
        Assert.Contains(("etcd/membership", "spare", "file-remove"), changes);

        Assert.Equal(Members, (await MemberListAsync(paths, "cp1")).Select(m => m.Name).Order(StringComparer.Ordinal));
        var spare = Machine("spare");
        Assert.False((await LabMachines.RunAsync(paths, spare, "test", "-e", "/var/lib/etcd")).Succeeded, "spare's etcd data directory is still there");
        Assert.NotEqual("active", (await LabMachines.RunAsync(paths, spare, "systemctl", "is-active", "etcd.service")).Stdout.Trim());
        Assert.NotEqual("enabled", (await LabMachines.RunAsync(paths, spare, "systemctl", "is-enabled", "etcd.service")).Stdout.Trim());
        var written = await KubectlAsync(paths, cluster.AdminKubeconfig, "create", "configmap", "after-shrink", "--from-literal=members=3");
        Assert.True(written.ExitCode == 0, written.Output);

        // Without etcd.backup the timers go; the snapshots stay.
        Assert.NotEqual(0, (await LabMachines.RunAsync(paths, Machine("cp1"), "test", "-e", "/etc/systemd/system/etcd-backup.timer")).ExitCode);
        Assert.Equal(2, (await LabMachines.RunOrFailAsync(paths, Machine("cp1"), "ls", "-1", "/var/lib/etcd-backup")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    public static async Task ARemovalThatWouldLeaveOneOfTwoHealthyIsRefusedAsync(LabPaths paths, LabClusterFile cluster)
    {
        var withoutCp3 = cluster.Derived("cluster-without-cp3.yaml", text => text.Replace(
            "    - name: cp3\n      address: 192.168.56.23\n      roles: [control-plane]\n", string.Empty, StringComparison.Ordinal));
        Assert.DoesNotContain("name: cp3", await File.ReadAllTextAsync(withoutCp3), StringComparison.Ordinal);
        await LabMachines.RunOrFailAsync(paths, Machine("cp2"), "systemctl", "stop", "etcd.service");
        try
        {
            var refused = await BootstrapProcess.RunAsync("init", "phase", "etcd", "-f", withoutCp3);

            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("removing cp3 would leave 1 of the remaining 2 members healthy (cp2 is not)", refused.Output, StringComparison.Ordinal);
            Assert.Equal(Members, (await MemberListAsync(paths, "cp1")).Select(m => m.Name).Order(StringComparer.Ordinal));
            Assert.Equal("active", (await LabMachines.RunAsync(paths, Machine("cp3"), "systemctl", "is-active", "etcd.service")).Stdout.Trim());
        }
        finally
        {
            await LabMachines.RunOrFailAsync(paths, Machine("cp2"), "systemctl", "start", "etcd.service");
        }

        await EveryMemberHealthyAsync(paths, 3);
    }

    public static async Task InitReplacesAMemberWhoseDataWasWipedAsync(LabPaths paths, LabClusterFile cluster)
    {
        var clusterId = await ClusterIdAsync(paths);
        var before = (await MemberListAsync(paths, "cp1")).Single(m => m.Name == "cp3").Id;
        await LabMachines.RunOrFailAsync(paths, Machine("cp3"), "systemctl", "stop", "etcd.service");
        await LabMachines.RunOrFailAsync(paths, Machine("cp3"), "rm", "-rf", "/var/lib/etcd");

        var init = await BootstrapProcess.RunAsync("init", "-f", cluster.Path, "--output", "json");

        Assert.True(init.ExitCode == 0, init.Output);
        var changes = Changes(init.Stdout);
        Assert.Contains(("etcd/membership", "cp3", "etcd-member-remove"), changes);
        Assert.Contains(("etcd/membership", "cp3", "etcd-member-add"), changes);
        Assert.Contains(("etcd/member", "cp3", "etcd-member-promote"), changes);
        await EveryMemberHealthyAsync(paths, 3);
        Assert.Equal(clusterId, await ClusterIdAsync(paths));
        var cp3 = (await MemberListAsync(paths, "cp1")).Single(m => m.Name == "cp3");
        Assert.NotEqual(before, cp3.Id);
        Assert.False(cp3.Learner);
    }

    // issue 15: reset of a control plane removes its etcd member first (refused while that would lose quorum), the API
    // keeps serving on two members, and init with cp3 still in the file brings it back as a learner, then a voter.
    public static async Task ResettingCp3RemovesItsMemberFirstAndInitBringsItBackAsync(LabPaths paths, LabClusterFile cluster)
    {
        await LabMachines.RunOrFailAsync(paths, Machine("cp2"), "systemctl", "stop", "etcd.service");
        try
        {
            var refused = await BootstrapProcess.RunAsync("reset", "-f", cluster.Path, "--host", "cp3");
            Assert.True(refused.ExitCode != 0, refused.Output);
            Assert.Contains("removing cp3's etcd member would leave 1 of 2 members healthy, below a quorum of 2 (cp2 not healthy)", refused.Output, StringComparison.Ordinal);
            Assert.Equal("active", (await LabMachines.RunAsync(paths, Machine("cp3"), ["systemctl", "is-active", "etcd.service"])).Stdout.Trim());

            // Refused before any change: the Node is neither cordoned nor deleted (the check runs before the drain).
            var node = await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "node", "cp3", "-o", "jsonpath={.metadata.name} {.spec.unschedulable}");
            Assert.True(node.ExitCode == 0 && node.Stdout.Trim() == "cp3", "the refused reset changed Node cp3: " + node.Output);
            Assert.Contains("etcd-check: failed", refused.Output, StringComparison.Ordinal);
            Assert.Contains("drain: not started", refused.Output, StringComparison.Ordinal);
        }
        finally
        {
            await LabMachines.RunOrFailAsync(paths, Machine("cp2"), "systemctl", "start", "etcd.service");
        }

        await EveryMemberHealthyAsync(paths, 3);
        var reset = await BootstrapProcess.RunAsync("reset", "-f", cluster.Path, "--host", "cp3", "--output", "json");
        Assert.True(reset.ExitCode == 0, reset.Output);
        Assert.Contains(Changes(reset.Stdout), c => c.Host == "cp3" && c.Kind == "etcd-member-remove");
        Assert.Equal(["cp1", "cp2"], (await MemberListAsync(paths, "cp1")).Select(m => m.Name).Order(StringComparer.Ordinal));
        await EveryMemberHealthyAsync(paths, 2);
        var readyz = await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "--raw", "/readyz");
        Assert.True(readyz.Stdout.Trim() == "ok", readyz.Output);
        var left = await LabMachines.RunAsync(paths, Machine("cp3"), ["sh", "-c", "ls -d /var/lib/etcd /etc/kubernetes /etc/systemd/system/etcd.service 2>/dev/null; true"]);
        Assert.True(left.Stdout.Trim().Length == 0, "left on cp3: " + left.Stdout);

        var init = await BootstrapProcess.RunAsync("init", "-f", cluster.Path, "--output", "json");
        Assert.True(init.ExitCode == 0, init.Output);
        var changes = Changes(init.Stdout);
        Assert.Contains(("etcd/membership", "cp3", "etcd-member-add"), changes);
        Assert.Contains(("etcd/member", "cp3", "etcd-member-promote"), changes);
        await EveryMemberHealthyAsync(paths, 3);
        Assert.All(await MemberListAsync(paths, "cp1"), m => Assert.False(m.Learner, $"{m.Name} is still a learner"));
    }

    public static async Task ASnapshotRestoresTheClusterAfterQuorumLossAsync(LabPaths paths, LabClusterFile cluster)
    {
        var first = await KubectlAsync(paths, cluster.AdminKubeconfig, "create", "configmap", "before-snapshot", "--from-literal=kept=yes");
        Assert.True(first.ExitCode == 0, first.Output);

        var save = await BootstrapProcess.RunAsync("etcd", "snapshot", "save", "-f", cluster.Path, "--output", "json");
        Assert.True(save.ExitCode == 0, save.Output);
        var saved = JsonDocument.Parse(save.Stdout).RootElement;
        var snapshot = saved.GetProperty("path").GetString()!;
        Assert.StartsWith(Path.Combine(cluster.State, "etcd-snapshots") + "/lab-", snapshot, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(snapshot));
        var sha256sum = await LocalProcess.RunAsync("sha256sum", ["-c", Path.GetFileName(snapshot) + ".sha256"], TimeSpan.FromMinutes(1), null, Path.GetDirectoryName(snapshot));
        Assert.True(sha256sum.ExitCode == 0, sha256sum.Output);
        var list = await BootstrapProcess.RunAsync("etcd", "snapshot", "list", "-f", cluster.Path);
        Assert.Contains(" ok ", list.Stdout, StringComparison.Ordinal);

        var second = await KubectlAsync(paths, cluster.AdminKubeconfig, "create", "configmap", "after-snapshot", "--from-literal=kept=no");
        Assert.True(second.ExitCode == 0, second.Output);

        // A damaged copy (its .sha256 beside it) is refused before anything stops.
        var damaged = Path.Combine(cluster.Directory, "damaged.db");
        var bytes = await File.ReadAllBytesAsync(snapshot);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(damaged, bytes);
        File.Copy(snapshot + ".sha256", damaged + ".sha256");
        var started = await StartedAsync(paths);
        var refused = await BootstrapProcess.RunAsync("etcd", "snapshot", "restore", "-f", cluster.Path, damaged, "--yes");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("nothing was stopped", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(started, await StartedAsync(paths));

        // Two of three members gone: the API takes no writes.
        foreach (var lost in new[] { "cp2", "cp3" })
        {
            await LabMachines.RunOrFailAsync(paths, Machine(lost), "systemctl", "stop", "etcd.service");
        }

        var blocked = await KubectlAsync(paths, cluster.AdminKubeconfig, "create", "configmap", "without-quorum", "--from-literal=kept=never");
        Assert.NotEqual(0, blocked.ExitCode);

        var restore = await BootstrapProcess.RunAsync("etcd", "snapshot", "restore", "-f", cluster.Path, snapshot, "--yes");
        Assert.True(restore.ExitCode == 0, restore.Output);

        // haproxy takes the restarted API servers back within a few seconds of their first ready answer.
        var kept = await UntilAsync(TimeSpan.FromMinutes(1), async () =>
            (await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "configmap", "before-snapshot", "-o", "jsonpath={.data.kept}")).Stdout == "yes", TimeSpan.FromSeconds(2));
        Assert.True(kept is not null, "the ConfigMap written before the snapshot is not there through the VIP after the restore");
        var gone = await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "configmap", "after-snapshot");
        Assert.Contains("NotFound", gone.Output, StringComparison.Ordinal);
        await EveryMemberHealthyAsync(paths, 3);
        foreach (var member in Members)
        {
            var aside = await LabMachines.RunOrFailAsync(paths, Machine(member), "sh", "-c", "ls -d /var/lib/etcd.before-restore-*");
            Assert.Single(aside.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        var ready = await UntilAsync(TimeSpan.FromMinutes(4), async () =>
        {
            var nodes = await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "nodes", "-o", "jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type==\"Ready\")].status} {end}");
            var states = nodes.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return nodes.ExitCode == 0 && states.Length >= 5 && states.Where(s => !s.StartsWith("spare=", StringComparison.Ordinal)).All(s => s.EndsWith("=True", StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(5));
        Assert.True(ready is not null, "the nodes were not all Ready within 4 minutes of the restore");

        // The restore changed no unit: init afterwards changes nothing and restarts nothing.
        var again = await BootstrapProcess.RunAsync("init", "-f", cluster.Path, "--output", "json");
        Assert.True(again.ExitCode == 0, again.Output);
        var changed = BootstrapProcess.Events(again.Stdout).Where(e => e.GetProperty("event").GetString() == "host-end" && e.GetProperty("changed").GetBoolean()).Select(e => e.ToString()).ToList();
        Assert.True(changed.Count == 0, "init after the restore changed:\n" + string.Join('\n', changed));
    }

    private static string WithSpare(string text)
    {
        const string cp3 = "    - name: cp3\n      address: 192.168.56.23\n      roles: [control-plane]\n";
        Assert.Contains(cp3, text, StringComparison.Ordinal);
        return text.Replace(cp3, cp3 + "    - name: spare\n      address: 192.168.56.41\n      roles: [control-plane]\n", StringComparison.Ordinal);
    }

    private static string WithBackups(string text)
    {
        const string etcd = "  etcd:\n    topology: stacked\n";
        Assert.Contains(etcd, text, StringComparison.Ordinal);
        return text.Replace(etcd, etcd + "    backup: { schedule: hourly, keep: 2 }\n", StringComparison.Ordinal);
    }

    /// <summary>(phase, host the change is for, kind) of every change an <c>--output json</c> run reports.</summary>
    private static List<(string Phase, string Host, string Kind)> Changes(string stdout) =>
        [.. BootstrapProcess.Events(stdout)
            .Where(e => e.GetProperty("event").GetString() == "change")
            .Select(e => (e.GetProperty("phase").GetString()!, e.GetProperty("host").GetString()!, e.GetProperty("kind").GetString()!))];

    private static async Task<Dictionary<string, string>> EtcdPidsAsync(LabPaths paths)
    {
        var pids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in Members)
        {
            pids[member] = (await LabMachines.RunOrFailAsync(paths, Machine(member), "systemctl", "show", "-p", "MainPID", "--value", "etcd.service")).Trim();
            Assert.NotEqual("0", pids[member]);
        }

        return pids;
    }

    private static async Task<Dictionary<string, long>> StartedAsync(LabPaths paths)
    {
        var times = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var member in Members)
        {
            foreach (var (unit, since) in await LabInspection.StartTimesAsync(paths, Machine(member), "etcd.service", "kube-apiserver.service"))
            {
                times[$"{member} {unit}"] = since;
            }
        }

        return times;
    }

    private static string[] Etcdctl(string address) =>
    [
        "/usr/local/bin/etcdctl", $"--endpoints=https://{address}:2379", "--cacert=/etc/kubernetes/pki/etcd/ca.crt",
        "--cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt", "--key=/etc/kubernetes/pki/etcd/healthcheck-client.key",
        "--dial-timeout=3s", "--command-timeout=10s",
    ];

    private static async Task<List<(string Name, string Id, bool Learner)>> MemberListAsync(LabPaths paths, string through)
    {
        var json = await LabMachines.RunOrFailAsync(paths, Machine(through), [.. Etcdctl(Machine(through).Address), "member", "list", "-w", "json"]);
        return [.. JsonDocument.Parse(json).RootElement.GetProperty("members").EnumerateArray().Select(m => (
            m.TryGetProperty("name", out var name) ? name.GetString()! : string.Empty,
            m.GetProperty("ID").GetUInt64().ToString("x", CultureInfo.InvariantCulture),
            m.TryGetProperty("isLearner", out var learner) && learner.GetBoolean()))];
    }

    private static async Task<string> ClusterIdAsync(LabPaths paths)
    {
        var json = await LabMachines.RunOrFailAsync(paths, Machine("cp1"), [.. Etcdctl("192.168.56.21"), "endpoint", "status", "-w", "json"]);
        return JsonDocument.Parse(json).RootElement[0].GetProperty("Status").GetProperty("header").GetProperty("cluster_id").GetUInt64().ToString("x", CultureInfo.InvariantCulture);
    }

    private static async Task EveryMemberHealthyAsync(LabPaths paths, int count)
    {
        string last = string.Empty;
        var healthy = await UntilAsync(TimeSpan.FromMinutes(2), async () =>
        {
            var result = await LabMachines.RunAsync(paths, Machine("cp1"), [.. Etcdctl("192.168.56.21"), "endpoint", "health", "--cluster", "-w", "json"]);
            last = result.Stdout + result.Stderr;
            return result.Succeeded && JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().Count(h => h.GetProperty("health").GetBoolean()) == count;
        }, TimeSpan.FromSeconds(2));
        Assert.True(healthy is not null, $"not {count} healthy etcd members within 2 minutes: {last}");
    }
}
