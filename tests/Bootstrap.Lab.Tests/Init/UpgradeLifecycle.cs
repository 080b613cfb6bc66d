using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Bootstrap.Core.Remote;
using Bootstrap.Lab.Tests.Lab;
using static Bootstrap.Lab.Tests.Init.LabInspection;

namespace Bootstrap.Lab.Tests.Init;

/// <summary>
/// The steps of <see cref="InitLabTests"/> that move the installed lab cluster between versions (issue 15's upgrade and
/// rollback): v1.20.2 with Debian bookworm's etcd 3.4 to the same source stamped v1.20.3-lab.0 with trixie's etcd 3.5, and back.
/// </summary>
internal static class UpgradeLifecycle
{
    private const string OldVersion = "v1.20.2";
    private const string NewVersion = "v1.20.3-lab.0";
    private const string OldEtcd = "3.4.23";
    private const string NewEtcd = "3.5.16";
    private const string WritesNamespace = "upgrade-writes";

    private static readonly string[] Nodes = ["cp1", "cp2", "cp3", "w1", "w2"];
    private static readonly string[] ControlPlaneBinaries = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"];
    private static readonly string[] NodeBinaries = ["kubelet", "kube-proxy"];

    /// <summary>
    /// A kubelet newer than the API servers is refused before anything changes; `upgrade plan` lists every host and component;
    /// `upgrade apply` rolls everything while the VIP answers every read and no acknowledged write is lost; afterwards every binary
    /// and Node reports the new version, every Node is schedulable, the uploaded configuration follows, and the plan is empty.
    /// </summary>
    public static async Task AnUpgradeRollsEveryComponentWithoutAFailedRequestOrALostWriteAsync(LabPaths paths, LabClusterFile cluster)
    {
        var built = await LabScript.RunAsync(TimeSpan.FromMinutes(30), null, "upgrade-artifacts");
        Assert.True(built.ExitCode == 0, built.Output);
        var env = await LabScript.EnvAsync();
        var upgrade = cluster.Variant("upgrade.yaml", text => Versions(text, paths.Artifacts, NewVersion, env["LAB_UPGRADE_ARTIFACTS"], NewEtcd, env["LAB_ETCD_UPGRADE_ARTIFACTS"]));

        await AKubeletNewerThanTheApiServersIsRefusedAsync(paths, cluster, upgrade, env["LAB_UPGRADE_ARTIFACTS"]);

        var plan = await BootstrapProcess.RunAsync("upgrade", "plan", "-f", upgrade);
        Assert.True(plan.ExitCode == 0, plan.Output);
        foreach (var cp in ControlPlanes)
        {
            Assert.Contains($"etcd: {OldEtcd} → {NewEtcd}", HostSection(plan.Stdout, "versions", cp), StringComparison.Ordinal);
            foreach (var binary in ControlPlaneBinaries.Concat(NodeBinaries))
            {
                Assert.Contains($"{binary}: {OldVersion} → {NewVersion}", HostSection(plan.Stdout, "versions", cp), StringComparison.Ordinal);
            }
        }

        foreach (var worker in new[] { "w1", "w2" })
        {
            foreach (var binary in NodeBinaries)
            {
                Assert.Contains($"{binary}: {OldVersion} → {NewVersion}", HostSection(plan.Stdout, "versions", worker), StringComparison.Ordinal);
            }
        }

        Assert.Contains("within the version-skew policy", plan.Stdout, StringComparison.Ordinal);
        Assert.Contains("`bootstrap upgrade apply` makes the changes above", plan.Stdout, StringComparison.Ordinal);
        var json = await BootstrapProcess.RunAsync("upgrade", "plan", "-f", upgrade, "--output", "json");
        Assert.True(json.ExitCode == 0, json.Output);
        Assert.Contains(BootstrapProcess.Events(json.Stdout), e => e.GetProperty("event").GetString() == "run-end");

        var applying = DateTimeOffset.UtcNow.AddSeconds(-1);
        var (apply, load) = await UnderLoadAsync(cluster, upgrade, () => BootstrapProcess.RunAsync(TimeSpan.FromMinutes(40), "upgrade", "apply", "-f", upgrade));
        Assert.True(apply.ExitCode == 0, apply.Output);
        NothingFailedButAtAnElection("the upgrade", load, apply.Output);
        await EveryControlPlaneComponentStartedOnceAsync(paths, applying, "the upgrade", apply.Output);
        Assert.True(load.Elections <= 1, $"etcd held {load.Elections} elections during the upgrade; its roll restarts the leader last, once");
        Assert.True(load.ReadRate >= 5, $"the VIP was read {load.ReadRate:0.0} times a second, fewer than 5");
        Assert.True(load.Acknowledged > 50, $"only {load.Acknowledged} writes were acknowledged during the upgrade");

        await EveryHostRunsAsync(paths, NewVersion, NewEtcd);
        await EveryNodeReportsAndIsSchedulableAsync(paths, cluster, NewVersion);
        var config = await KubectlAsync(paths, cluster.AdminKubeconfig, "-n", "kube-system", "get", "configmap", "kubeadm-config", "-o", "jsonpath={.data.ClusterConfiguration}");
        Assert.Contains($"kubernetesVersion: {NewVersion}", config.Stdout, StringComparison.Ordinal);

        var after = await BootstrapProcess.RunAsync("upgrade", "plan", "-f", upgrade, "--output", "json");
        Assert.True(after.ExitCode == 0, after.Output);
        Assert.Empty(LifecycleGuards.Changes(after.Stdout));
    }

    /// <summary>
    /// Back to v1.20.2: the plan refuses etcd 3.5 → 3.4 and says why; without --allow-downgrade the Kubernetes rollback is refused;
    /// with it (etcd staying at 3.5) every Kubernetes binary rolls back, the Nodes report v1.20.2 and are schedulable.
    /// </summary>
    public static async Task ARollbackRefusesEtcdsMinorDowngradeAndRollsKubernetesBackAsync(LabPaths paths, LabClusterFile cluster)
    {
        var env = await LabScript.EnvAsync();
        var everything = cluster.Variant("rollback-etcd.yaml", text => Versions(text, paths.Artifacts, OldVersion, paths.Artifacts, OldEtcd, paths.Artifacts));
        var refused = await BootstrapProcess.RunAsync("upgrade", "plan", "-f", everything, "--allow-downgrade");
        Assert.True(refused.ExitCode == 1, refused.Output);
        Assert.Contains($"cp1: etcd does not support going from {NewEtcd} down to {OldEtcd}", refused.Output, StringComparison.Ordinal);
        Assert.Contains("restore a snapshot taken with the older etcd", refused.Output, StringComparison.Ordinal);

        var rollback = cluster.Variant("rollback.yaml", text => Versions(text, paths.Artifacts, OldVersion, paths.Artifacts, NewEtcd, env["LAB_ETCD_UPGRADE_ARTIFACTS"]));
        var withoutFlag = await BootstrapProcess.RunAsync("upgrade", "apply", "-f", rollback, "--output", "json");
        Assert.True(withoutFlag.ExitCode == 1, withoutFlag.Output);
        Assert.Contains($"cp1: kube-apiserver would go from {NewVersion} down to {OldVersion}; a rollback within 1.20 needs --allow-downgrade", withoutFlag.Output, StringComparison.Ordinal);
        Assert.Empty(LifecycleGuards.Changes(withoutFlag.Stdout));
        await EveryHostRunsAsync(paths, NewVersion, NewEtcd);

        var (apply, load) = await UnderLoadAsync(cluster, rollback, () => BootstrapProcess.RunAsync(TimeSpan.FromMinutes(40), "upgrade", "apply", "-f", rollback, "--allow-downgrade"));
        Assert.True(apply.ExitCode == 0, apply.Output);
        NothingFailedButAtAnElection("the rollback", load, apply.Output);
        await EveryHostRunsAsync(paths, OldVersion, NewEtcd);
        await EveryNodeReportsAndIsSchedulableAsync(paths, cluster, OldVersion);

        // The cluster file of the earlier steps (etcd from its own artifacts, 3.4) would now be a refused etcd downgrade: later steps use this one.
        File.Copy(rollback, cluster.Path, overwrite: true);
    }

    /// <summary>w1's kubelet replaced by hand with the newer build: the upgrade is refused before any host changes, naming w1.</summary>
    private static async Task AKubeletNewerThanTheApiServersIsRefusedAsync(LabPaths paths, LabClusterFile cluster, string upgrade, string newArtifacts)
    {
        var w1 = Machine("w1");
        await using (var host = await LabMachines.ConnectAsync(paths, w1))
        await using (var kubelet = File.OpenRead(Path.Combine(newArtifacts, "kubelet")))
        {
            await host.UploadAsync(kubelet, new FileSpec("/tmp/kubelet-newer", Mode: 0b111_101_101), CancellationToken.None);
        }

        await LabMachines.RunOrFailAsync(paths, w1, "sh", "-c", "cp -p /usr/local/bin/kubelet /tmp/kubelet-kept && install -m 0755 /tmp/kubelet-newer /usr/local/bin/kubelet && systemctl restart kubelet");
        try
        {
            Assert.NotNull(await UntilAsync(TimeSpan.FromMinutes(2), async () => await KubeletVersionAsync(paths, cluster, "w1") == NewVersion));
            var before = await BinaryDigestsAsync(paths);
            var refused = await BootstrapProcess.RunAsync("upgrade", "apply", "-f", upgrade, "--output", "json");
            Assert.True(refused.ExitCode == 1, refused.Output);
            Assert.Contains($"w1: its kubelet runs {NewVersion}, newer than the oldest API server ({OldVersion})", refused.Output, StringComparison.Ordinal);
            Assert.Empty(LifecycleGuards.Changes(refused.Stdout));
            Assert.Equal(before, await BinaryDigestsAsync(paths));
        }
        finally
        {
            await LabMachines.RunOrFailAsync(paths, w1, "sh", "-c", "install -m 0755 /tmp/kubelet-kept /usr/local/bin/kubelet && rm -f /tmp/kubelet-kept /tmp/kubelet-newer && systemctl restart kubelet");
        }

        Assert.NotNull(await UntilAsync(TimeSpan.FromMinutes(2), async () => await KubeletVersionAsync(paths, cluster, "w1") == OldVersion));
    }

    /// <summary>The lines of a run's log within 10 s of the failures (their "HH:mm:ss" prefixes): what the run was doing then.</summary>
    private static string Around(string output, IEnumerable<string> failures)
    {
        static TimeSpan? At(string line) =>
            line.Length >= 8 && TimeSpan.TryParseExact(line[..8], @"hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture, out var t) ? t : null;
        var times = failures.Select(At).OfType<TimeSpan>().ToArray();
        var lines = output.Split('\n').Where(l => At(l) is { } t && times.Any(f => (t - f).Duration() <= TimeSpan.FromSeconds(10))).ToArray();
        return lines.Length == 0 ? string.Empty : "\nthe run's log around them:\n" + string.Join('\n', lines.Take(80));
    }

    private static async Task<string> KubeletVersionAsync(LabPaths paths, LabClusterFile cluster, string node) =>
        (await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "node", node, "-o", "jsonpath={.status.nodeInfo.kubeletVersion}")).Stdout.Trim();

    /// <summary>The example's versions and artifact sources replaced.</summary>
    private static string Versions(string text, string exampleArtifacts, string kubernetes, string artifacts, string etcd, string etcdArtifacts)
    {
        const string topology = "    topology: stacked\n";
        Assert.Contains(topology, text, StringComparison.Ordinal);
        Assert.Contains($"    directory: {exampleArtifacts}\n", text, StringComparison.Ordinal);
        return text
            .Replace($"kubernetesVersion: {OldVersion}", $"kubernetesVersion: {kubernetes}", StringComparison.Ordinal)
            .Replace(topology, topology + $"    version: {etcd}\n", StringComparison.Ordinal)
            .Replace($"    directory: {exampleArtifacts}\n", $"    directory: {artifacts}\n    etcd:\n      directory: {etcdArtifacts}\n", StringComparison.Ordinal);
    }

    /// <summary>The detail lines of one host under one phase of a text report.</summary>
    private static string HostSection(string report, string phase, string host)
    {
        var lines = report.Split('\n');
        var start = Array.FindIndex(lines, l => l.StartsWith(phase + ": ", StringComparison.Ordinal));
        Assert.True(start >= 0, $"no phase {phase} in:\n{report}");
        var hostLine = Array.FindIndex(lines, start + 1, l => l.StartsWith($"  {host}: ", StringComparison.Ordinal));
        Assert.True(hostLine > start, $"no host {host} under {phase} in:\n{report}");
        return string.Join('\n', lines.Skip(hostLine + 1).TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal)));
    }

    /// <summary>
    /// Each control plane's etcd, API server, controller manager and scheduler were started once since <paramref name="since"/>, systemd's own
    /// restarts after a process exited aside (systemd's journal): a roll that changes etcd and the API server together starts the API server
    /// its etcd turn stops on its new files, once.
    /// </summary>
    private static async Task EveryControlPlaneComponentStartedOnceAsync(LabPaths paths, DateTimeOffset since, string what, string output)
    {
        var counts = new List<string>();
        foreach (var cp in ControlPlanes)
        {
            foreach (var unit in new[] { "etcd.service", "kube-apiserver.service", "kube-controller-manager.service", "kube-scheduler.service" })
            {
                counts.Add($"{cp} {unit} {await StartedSinceAsync(paths, Machine(cp), unit, since)}");
            }
        }

        Assert.True(counts.All(c => c.EndsWith(" 1", StringComparison.Ordinal)), $"{what} started a control-plane component other than once (host, unit, starts):\n{string.Join('\n', counts)}\n{output}");
    }

    /// <summary>What every host's binaries report (ssh, the binaries themselves) is <paramref name="version"/> and etcd <paramref name="etcd"/>.</summary>
    private static async Task EveryHostRunsAsync(LabPaths paths, string version, string etcd)
    {
        foreach (var name in Nodes)
        {
            var machine = Machine(name);
            var binaries = ControlPlanes.Contains(name) ? ControlPlaneBinaries.Where(b => b != "kubectl").Concat(NodeBinaries) : NodeBinaries;
            foreach (var binary in binaries)
            {
                var reported = await LabMachines.RunOrFailAsync(paths, machine, $"/usr/local/bin/{binary}", "--version");
                Assert.True(reported.Trim() == $"Kubernetes {version}", $"{name}: {binary} reports {reported.Trim()}, not {version}");
            }

            if (ControlPlanes.Contains(name))
            {
                var reported = await LabMachines.RunOrFailAsync(paths, machine, "/usr/local/bin/etcd", "--version");
                Assert.Contains($"etcd Version: {etcd}", reported, StringComparison.Ordinal);
                var running = await LabMachines.RunOrFailAsync(paths, machine, "sh", "-c", "readlink /proc/$(systemctl show -p MainPID --value kube-apiserver)/exe; systemctl is-active kubelet etcd kube-apiserver kube-controller-manager kube-scheduler");
                Assert.DoesNotContain("(deleted)", running, StringComparison.Ordinal);
                Assert.True(running.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).All(l => l == "active"), $"{name}: {running}");
            }
        }
    }

    private static async Task EveryNodeReportsAndIsSchedulableAsync(LabPaths paths, LabClusterFile cluster, string version)
    {
        foreach (var node in Nodes)
        {
            var read = await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "node", node, "-o", "jsonpath={.status.nodeInfo.kubeletVersion} {.status.nodeInfo.kubeProxyVersion} {.spec.unschedulable} {.status.conditions[?(@.type==\"Ready\")].status}");
            Assert.True(read.Stdout.Trim() == $"{version} {version}  True", $"{node}: {read.Output.Trim()}");
        }
    }

    private static async Task<string> BinaryDigestsAsync(LabPaths paths)
    {
        var digests = new List<string>();
        foreach (var name in Nodes)
        {
            digests.Add(name + ": " + await LabMachines.RunOrFailAsync(paths, Machine(name), "sh", "-c", "sha256sum /usr/local/bin/* | sort"));
        }

        return string.Join('\n', digests);
    }

    /// <summary>
    /// No acknowledged write is lost, and no read or write failed except with etcd's "leader changed" while an election
    /// happened: kube-apiserver 1.20 answers a consistent read (or a write) that is in flight at the moment etcd's leadership
    /// moves with that 500 and does not retry it (kubernetes/kubernetes#112152), so each of the two one-at-a-time clients may
    /// see it once per election and never otherwise. An upgrade of etcd cannot avoid one election: its leader's binary changes.
    /// </summary>
    private static void NothingFailedButAtAnElection(string during, LoadResult load, string output)
    {
        Assert.True(load.Lost.Count == 0, $"{load.Lost.Count} of {load.Acknowledged} acknowledged writes are gone: {string.Join(", ", load.Lost.Take(10))}");
        foreach (var (what, failures) in new[] { ("reads", load.ReadFailures), ("writes", load.WriteFailures) })
        {
            var other = failures.Where(f => !f.Contains(LeaderChanged, StringComparison.Ordinal)).ToList();
            Assert.True(other.Count == 0, $"{other.Count} {what} through the VIP failed during {during}:\n" + string.Join('\n', other.Take(20)) + Around(output, other));
            Assert.True(
                failures.Count <= load.Elections,
                $"{failures.Count} {what} failed with etcd's \"{LeaderChanged}\" during {during}, more than its {load.Elections} elections:\n" + string.Join('\n', failures.Take(20)) + Around(output, failures));
        }
    }

    private const string LeaderChanged = "etcdserver: leader changed";

    /// <summary>etcd's raft term: how many elections it has held, read with <c>bootstrap etcd status</c>.</summary>
    private static async Task<long> RaftTermAsync(string clusterFile)
    {
        var status = await BootstrapProcess.RunAsync("etcd", "status", "-f", clusterFile, "--output", "json");
        Assert.True(status.ExitCode == 0, status.Output);
        using var json = JsonDocument.Parse(status.Stdout);
        return json.RootElement.GetProperty("members").EnumerateArray()
            .Select(m => m.GetProperty("status"))
            .Where(s => s.ValueKind == JsonValueKind.Object)
            .Max(s => s.GetProperty("raftTerm").GetInt64());
    }

    /// <summary>
    /// Runs <paramref name="action"/> while one client reads through the VIP every 100 ms and another creates a ConfigMap every
    /// 100 ms; afterwards which ConfigMaps whose creation was acknowledged are gone, what failed, and how many elections etcd held meanwhile.
    /// </summary>
    private static async Task<(ProcessResult Result, LoadResult Load)> UnderLoadAsync(LabClusterFile cluster, string clusterFile, Func<Task<ProcessResult>> action)
    {
        var termBefore = await RaftTermAsync(clusterFile);
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(cluster.AdminKubeconfig));
        client.HttpClient.Timeout = TimeSpan.FromSeconds(5);
        try
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = WritesNamespace } });
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
        }

        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentQueue<string>();
        var acknowledged = new ConcurrentBag<string>();
        var refused = new ConcurrentQueue<string>();
        var probes = 0;
        var clock = Stopwatch.StartNew();
        var run = Guid.NewGuid().ToString("N")[..8];
        var reading = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var ns = await client.CoreV1.ReadNamespaceAsync("default");
                    if (ns.Metadata.Name != "default")
                    {
                        failures.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} read returned {ns.Metadata.Name}");
                    }
                }
#pragma warning disable CA1031 // Every failure of a read is what the test counts.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    failures.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} read: {e.GetType().Name}: {e.Message}");
                }

                Interlocked.Increment(ref probes);
                await Task.Delay(100);
            }
        });
        var writing = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var name = $"w-{run}-{i}";
                try
                {
                    await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name }, Data = new Dictionary<string, string> { ["i"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) } }, WritesNamespace);
                    acknowledged.Add(name);
                }
#pragma warning disable CA1031 // A failed write is not acknowledged; only acknowledged writes must survive.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    refused.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} write {name}: {e.GetType().Name}: {e.Message}");
                }

                await Task.Delay(100);
            }
        });

        var result = await action();
        await stop.CancelAsync();
        await Task.WhenAll(reading, writing);
        var seconds = clock.Elapsed.TotalSeconds;
        var stored = (await client.CoreV1.ListNamespacedConfigMapAsync(WritesNamespace)).Items.Select(c => c.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        var lost = acknowledged.Where(n => !stored.Contains(n)).OrderBy(n => n, StringComparer.Ordinal).ToList();
        var elections = await RaftTermAsync(clusterFile) - termBefore;
        Console.WriteLine($"under load: {probes} reads ({probes / seconds:0.0}/s, {failures.Count} failed), {acknowledged.Count} writes acknowledged ({refused.Count} failed, {lost.Count} lost), {elections} etcd elections");
        return (result, new LoadResult(probes / seconds, [.. failures], acknowledged.Count, lost, [.. refused], elections));
    }

    /// <param name="WriteFailures">Writes that failed (never acknowledged, so not lost).</param>
    /// <param name="Elections">How much etcd's raft term grew meanwhile.</param>
    private sealed record LoadResult(double ReadRate, IReadOnlyList<string> ReadFailures, int Acknowledged, IReadOnlyList<string> Lost, IReadOnlyList<string> WriteFailures, long Elections);
}
