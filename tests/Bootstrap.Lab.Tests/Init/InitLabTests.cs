using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Remote;
using Bootstrap.Lab.Tests.Etcd;
using Bootstrap.Lab.Tests.Hardening;
using Bootstrap.Lab.Tests.Lab;
using Bootstrap.Lab.Tests.Preflight;
using Bootstrap.Lab.Tests.Workloads;
using static Bootstrap.Lab.Tests.Init.LabInspection;

namespace Bootstrap.Lab.Tests.Init;

/// <summary>
/// `bootstrap plan` and `bootstrap init` on fresh lab machines, and what an admin expects of the HA
/// control plane afterwards: etcd over mutual TLS, the API through the VIP and on each API server,
/// idempotent re-runs, renewed certificates rolled out without downtime, a control-plane host and the
/// VIP holder powered off. One test, in order, because each step builds on the last and a lab boot is costly.
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Lab")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class InitLabTests
{
    private static readonly string[] ControlPlaneUnits = ["etcd.service", "kube-apiserver.service", "kube-controller-manager.service", "kube-scheduler.service"];
    private static readonly string[] LoadBalancerUnits = ["haproxy.service", "keepalived.service"];
    private static readonly string[] BootstrapNodes = ["cp1", "cp2", "cp3", "w1", "w2"];

    [Fact]
    public async Task Init_builds_an_HA_control_plane_that_survives_a_lost_control_plane_host_and_a_lost_VIP_holder_and_reruns_change_nothing()
    {
        await LabInUse.WaitUntilFreeAsync();
        var paths = await LabScript.PathsAsync();
        using var cluster = LabClusterFile.Create();
        string[] sysctls;
        var clock = Stopwatch.StartNew();
        var steps = new List<string>();
        async Task Step(string name, Func<Task> step)
        {
            var started = clock.Elapsed;
            try
            {
                await step();
            }
            catch (Exception e)
            {
                // The step's name leads the failure (a scenario's own message may start with the phases that completed).
                throw new StepFailedException($"InitLabTests step {name} failed after {(clock.Elapsed - started).TotalSeconds:0} s: {e.Message}", e);
            }

            steps.Add($"{name} {(clock.Elapsed - started).TotalSeconds:0} s");
        }

        try
        {
            await LabScript.UpOrFailAsync();
            sysctls = await HardeningChecks.SavedSysctlsAsync(paths);
            await Step("PreflightOnTheFreshLab", () => PreflightChecks.OnTheFreshLabAsync(paths));
            await Step("PlanChangesNothing", () => PlanChangesNothingAsync(paths, cluster));
            await Step("FreshPlanListsTheGoldenChanges", () => LifecycleGuards.FreshPlanListsTheGoldenChangesAsync(cluster));
            var initEvents = string.Empty;
            await Step("FirstInit", async () => initEvents = await FirstInitAsync(cluster));
            await Step("EtcdIsAThreeMemberMutualTlsCluster", () => EtcdIsAThreeMemberMutualTlsClusterAsync(paths));
            await Step("TheApiAnswersThroughTheVipAndOnEachApiServer", () => TheApiAnswersThroughTheVipAndOnEachApiServerAsync(paths, cluster));
            await Step("EveryNodeJoinedThroughCsrsAndBootstrapTokensGetOnlyWhatKubeadmGives", () => EveryNodeJoinedThroughCsrsAndBootstrapTokensGetOnlyWhatKubeadmGivesAsync(paths, cluster));
            await Step("ASecondInitChangesAndRestartsNothing", () => ASecondInitChangesAndRestartsNothingAsync(paths, cluster));
            await Step("AStoppedEtcdMemberIsStartedAndNothingElseRestarts", () => AStoppedEtcdMemberIsStartedAndNothingElseRestartsAsync(paths, cluster));
            await Step("Hardening", () => HardeningChecks.OnTheInstalledClusterAsync(paths, cluster));

            // Faults an admin's hosts meet over the years, after Hardening (which counts the first init's joins).
            await Step("ALostKubeletConfIsWrittenFromTheKubeletsCertificateAndAnotherClustersIsReplaced", () => ALostKubeletConfIsWrittenFromTheKubeletsCertificateAndAnotherClustersIsReplacedAsync(paths, cluster));
            await Step("ADeletedNodeIsRegisteredAgainByAKubeletRestart", () => ADeletedNodeIsRegisteredAgainByAKubeletRestartAsync(paths, cluster));
            await Step("AUnitFileRemovedUnderARunningServiceIsWrittenBackAndReloaded", () => AUnitFileRemovedUnderARunningServiceIsWrittenBackAndReloadedAsync(paths, cluster));
            await Step("ADeviceInAFilesPlaceIsNeverReadAndTheRunSaysWhere", () => ADeviceInAFilesPlaceIsNeverReadAndTheRunSaysWhereAsync(paths, cluster));
            await Step("InstalledPlanListsNothingAndAChangedFieldListsExactlyWhatItImplies", () => LifecycleGuards.InstalledPlanListsNothingAndAChangedFieldListsExactlyWhatItImpliesAsync(paths, cluster));
            await Step("ASecondStateIsRefusedAndStatePullAdoptsTheCluster", () => LifecycleGuards.ASecondStateIsRefusedAndStatePullAdoptsTheClusterAsync(paths, cluster));
            await Step("TwoWorkstationsNeverRunAtOnceAndAKilledRunLeavesNoLease", () => LifecycleGuards.TwoWorkstationsNeverRunAtOnceAndAKilledRunLeavesNoLeaseAsync(paths, cluster));
            await Step("ARunReadsNoHostBeforeItHoldsTheLease", () => LifecycleGuards.ARunReadsNoHostBeforeItHoldsTheLeaseAsync(paths, cluster));
            await Step("AMissingEncryptionKeyIsRefusedAndRecoveredFromAHost", () => LifecycleGuards.AMissingEncryptionKeyIsRefusedAndRecoveredFromAHostAsync(paths, cluster));
            await Step("ABadApiServerFlagStopsTheRollAtTheFirstHostAndTheFixConverges", () => LifecycleGuards.ABadApiServerFlagStopsTheRollAtTheFirstHostAndTheFixConvergesAsync(paths, cluster));
            await Step("AnInterruptedRunStopsWhatItRanOnTheHosts", () => LifecycleGuards.AnInterruptedRunStopsWhatItRanOnTheHostsAsync(paths, cluster));
            await Step("ACommandGivenUpOnIsStoppedOnItsHost", () => LifecycleGuards.ACommandGivenUpOnIsStoppedOnItsHostAsync(paths));
            await Step("AFrozenHostEndsTheRunWithinTheTimeoutNamingIt", () => LifecycleGuards.AFrozenHostEndsTheRunWithinTheTimeoutNamingItAsync(cluster));
            await Step("AResetWorkerLeavesNothingAndJoinsBack", () => NodeLifecycle.AResetWorkerLeavesNothingAndJoinsBackAsync(paths, cluster));
            await Step("AnUnreachableHostHasItsClusterSideReset", () => NodeLifecycle.AnUnreachableHostHasItsClusterSideResetAsync(paths, cluster));
            await Step("StockKubeadmJoinsTheSpareWithABootstrapToken", () => StockKubeadmJoinsTheSpareWithABootstrapTokenAsync(paths, cluster));
            await Step("UrlArtifactsAreFetchedOnceAndOnlyWhereMissing", () => UrlArtifactsAreFetchedOnceAndOnlyWhereMissingAsync(paths, cluster));
            await Step("RenewedCertificatesRollOutWithoutDowntime", () => RenewedCertificatesRollOutWithoutDowntimeAsync(paths, cluster));
            await Step("RotatingTheEncryptionKeyKeepsEverySecretReadableUnderTheNewKey", () => LifecycleGuards.RotatingTheEncryptionKeyKeepsEverySecretReadableUnderTheNewKeyAsync(paths, cluster));
            await Step("AnUpgradeRollsEveryComponentWithoutAFailedRequestOrALostWrite", () => UpgradeLifecycle.AnUpgradeRollsEveryComponentWithoutAFailedRequestOrALostWriteAsync(paths, cluster));
            await Step("ARollbackRefusesEtcdsMinorDowngradeAndRollsKubernetesBack", () => UpgradeLifecycle.ARollbackRefusesEtcdsMinorDowngradeAndRollsKubernetesBackAsync(paths, cluster));
            await Step("LosingCp1KeepsTheApiWritableAndItRejoins", () => LosingCp1KeepsTheApiWritableAndItRejoinsAsync(paths, cluster));
            await Step("LosingTheVipHolderMovesTheVipWithinTenSeconds", () => LosingTheVipHolderMovesTheVipWithinTenSecondsAsync(paths, cluster));
            await Step("TheKubeadmJoinedSpareLeavesAndInitTakesItsRoutesAway", () => TheKubeadmJoinedSpareLeavesAndInitTakesItsRoutesAwayAsync(paths, cluster));
            await Step("Workloads", () => WorkloadChecks.OnTheInstalledClusterAsync(paths, cluster, initEvents));

            // etcd day 2 last: the restore after quorum loss ends the cluster's story.
            await Step("EtcdGrowsToFourWithTheSpareAsALearner", () => EtcdLifecycle.GrowingToFourAddsTheSpareAsALearnerAndRestartsNoOtherMemberAsync(paths, cluster));
            await Step("EtcdShrinksBackToThree", () => EtcdLifecycle.ShrinkingBackToThreeRemovesTheSparesMemberAndDataAsync(paths, cluster));
            await Step("ARemovalLeavingOneOfTwoHealthyIsRefused", () => EtcdLifecycle.ARemovalThatWouldLeaveOneOfTwoHealthyIsRefusedAsync(paths, cluster));
            await Step("InitReplacesAMemberWhoseDataWasWiped", () => EtcdLifecycle.InitReplacesAMemberWhoseDataWasWipedAsync(paths, cluster));
            await Step("ResettingCp3RemovesItsMemberFirstAndInitBringsItBack", () => EtcdLifecycle.ResettingCp3RemovesItsMemberFirstAndInitBringsItBackAsync(paths, cluster));
            await Step("ASnapshotRestoresTheClusterAfterQuorumLoss", () => EtcdLifecycle.ASnapshotRestoresTheClusterAfterQuorumLossAsync(paths, cluster));
        }
        finally
        {
            Console.WriteLine($"InitLabTests steps: {string.Join(", ", steps)}; total {clock.Elapsed.TotalMinutes:0.0} min");
            await LabScript.DownOrFailAsync();
        }

        await HardeningChecks.DownRestoredTheHostsSysctlsAsync(sysctls);
    }

    // issue 5: plan connects read-only and changes nothing on any host, nor in the cluster state.
    private static async Task PlanChangesNothingAsync(LabPaths paths, LabClusterFile cluster)
    {
        var machines = LabMachine.All.Where(m => m.Name != "spare").ToArray();
        // One machine at a time: hashing every file of seven machines at once saturates the host's two cores
        // until SSH session operations time out.
        var before = await TreesAsync(paths, machines);

        var plan = await BootstrapProcess.RunAsync("plan", "-f", cluster.Path);
        Assert.True(plan.ExitCode == 0, plan.Output);
        Assert.Contains("    would create /etc/kubernetes/pki/ca.key", plan.Stdout, StringComparison.Ordinal);
        Assert.Contains("    would create ca in the cluster state", plan.Stdout, StringComparison.Ordinal);
        Assert.Contains("    would start kube-apiserver.service (kube-apiserver is inactive)", plan.Stdout, StringComparison.Ordinal);
        Assert.Contains("    would create /etc/keepalived/keepalived.conf", plan.Stdout, StringComparison.Ordinal);

        var after = await TreesAsync(paths, machines);
        var changed = machines.Zip(before, after).SelectMany(x => Differences(x.Second, x.Third).Select(d => $"{x.First.Name}: {d}")).ToList();
        Assert.True(changed.Count == 0, "plan changed hosts:\n" + string.Join('\n', changed.Take(40)));
        Assert.False(Directory.Exists(cluster.State), "plan wrote the cluster state");
    }

    private static async Task<IReadOnlyDictionary<string, string>[]> TreesAsync(LabPaths paths, IEnumerable<LabMachine> machines)
    {
        var trees = new List<IReadOnlyDictionary<string, string>>();
        foreach (var machine in machines)
        {
            trees.Add(await TreeAsync(paths, machine));
        }

        return [.. trees];
    }

    /// <summary>The first init, checked event by event; returns its NDJSON.</summary>
    private static async Task<string> FirstInitAsync(LabClusterFile cluster)
    {
        var init = await BootstrapProcess.RunAsync("init", "-f", cluster.Path, "--output", "json");
        Assert.True(init.ExitCode == 0, init.Output);

        // issue 5: the NDJSON stream parses line by line and accounts for every phase, each started and finished once.
        var events = BootstrapProcess.Events(init.Stdout);
        var help = await BootstrapProcess.RunAsync("init", "--help");
        var leaves = new[]
        {
            "preflight", "certs", "kubeconfig", "artifacts", "etcd/member", "etcd/health", "load-balancer", "control-plane/apiserver",
            "control-plane/controller-manager", "control-plane/scheduler", "wait-control-plane",
            "upload-config/kubeadm", "upload-config/kubelet", "upload-config/kube-proxy", "bootstrap-token", "containerd", "images", "kubelet-start",
            "kubelet-client-csr", "pod-network", "mark-control-plane", "kubelet-serving-csr", "kube-proxy", "addon/coredns",
        };
        foreach (var leaf in leaves)
        {
            Assert.Single(events, e => Event(e) == "phase-start" && e.GetProperty("phase").GetString() == leaf);
            var end = Assert.Single(events, e => Event(e) == "phase-end" && e.GetProperty("phase").GetString() == leaf);
            Assert.Equal("completed", end.GetProperty("state").GetString());
        }

        Assert.Equal(leaves, events.Where(e => Event(e) == "phase-start").Select(e => e.GetProperty("phase").GetString()).Where(p => leaves.Contains(p)));
        Assert.Equal("run-end", Event(events[^1]));
        Assert.Contains(events, e => Event(e) == "host-end" && e.GetProperty("phase").GetString() == "etcd/member" && e.GetProperty("changed").GetBoolean());
        Assert.True(File.Exists(cluster.AdminKubeconfig));
        Assert.Contains($"server: https://{Vip}:6443", await File.ReadAllTextAsync(cluster.AdminKubeconfig), StringComparison.Ordinal);
        Assert.Equal(0, help.ExitCode);
        return init.Stdout;
    }

    private static async Task EtcdIsAThreeMemberMutualTlsClusterAsync(LabPaths paths)
    {
        var cp1 = Machine("cp1");
        string[] etcdctl = ["/usr/local/bin/etcdctl", "--endpoints=https://192.168.56.21:2379", "--cacert=/etc/kubernetes/pki/etcd/ca.crt", "--dial-timeout=3s", "--command-timeout=5s"];
        var health = await LabMachines.RunAsync(paths, cp1,
            [.. etcdctl, "--cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt", "--key=/etc/kubernetes/pki/etcd/healthcheck-client.key", "endpoint", "health", "--cluster"]);
        Assert.True(health.Succeeded, health.Stdout + health.Stderr);
        var healthy = (health.Stdout + health.Stderr).Split('\n').Where(l => l.Contains("is healthy", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, healthy.Count);
        Assert.All(["192.168.56.21", "192.168.56.22", "192.168.56.23"], a => Assert.Contains(healthy, l => l.Contains(a, StringComparison.Ordinal)));

        var anonymous = await LabMachines.RunAsync(paths, cp1, [.. etcdctl, "endpoint", "health"]);
        var clusterCa = await LabMachines.RunAsync(paths, cp1,
            [.. etcdctl, "--cert=/etc/kubernetes/pki/apiserver-kubelet-client.crt", "--key=/etc/kubernetes/pki/apiserver-kubelet-client.key", "endpoint", "health"]);
        Assert.False(anonymous.Succeeded, "etcd answered a client without a certificate: " + anonymous.Stdout);
        Assert.False(clusterCa.Succeeded, "etcd answered a client certificate from the cluster CA: " + clusterCa.Stdout);
    }

    private static async Task TheApiAnswersThroughTheVipAndOnEachApiServerAsync(LabPaths paths, LabClusterFile cluster)
    {
        var readyz = await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "--raw", "/readyz");
        Assert.True(readyz.ExitCode == 0 && readyz.Stdout.Trim() == "ok", readyz.Output);
        foreach (var cp in ControlPlanes)
        {
            var direct = await KubectlAsync(paths, cluster.AdminKubeconfig, "--server", $"https://{Machine(cp).Address}:6443", "get", "--raw", "/readyz");
            Assert.True(direct.ExitCode == 0 && direct.Stdout.Trim() == "ok", $"{cp}: {direct.Output}");
        }
    }

    // issue 7: every node Ready, its client certificate issued through a CSR its bootstrap token made; no CSR
    // left Pending or Denied; system:bootstrappers bound to exactly kubeadm's roles, and Bootstrap's node tokens
    // (issue 17) to system:node-bootstrapper only.
    private static async Task EveryNodeJoinedThroughCsrsAndBootstrapTokensGetOnlyWhatKubeadmGivesAsync(LabPaths paths, LabClusterFile cluster)
    {
        var nodes = JsonDocument.Parse((await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "nodes", "-o", "json")).Stdout).RootElement.GetProperty("items");
        var ready = nodes.EnumerateArray().ToDictionary(
            n => n.GetProperty("metadata").GetProperty("name").GetString()!,
            n => n.GetProperty("status").GetProperty("conditions").EnumerateArray().Any(c => c.GetProperty("type").GetString() == "Ready" && c.GetProperty("status").GetString() == "True"));
        Assert.Equal(["cp1", "cp2", "cp3", "w1", "w2"], ready.Keys.Order());
        Assert.All(ready, n => Assert.True(n.Value, $"{n.Key} is not Ready"));

        var csrs = JsonDocument.Parse((await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "csr", "-o", "json")).Stdout).RootElement.GetProperty("items").EnumerateArray().ToList();
        static string Conditions(JsonElement csr) =>
            csr.GetProperty("status").TryGetProperty("conditions", out var c) ? string.Join(',', c.EnumerateArray().Select(x => x.GetProperty("type").GetString())) : "Pending";
        Assert.All(csrs, c => Assert.Equal("Approved", Conditions(c)));
        var clientCsrs = csrs.Where(c => c.GetProperty("spec").GetProperty("signerName").GetString() == "kubernetes.io/kube-apiserver-client-kubelet"
            && c.GetProperty("spec").GetProperty("username").GetString()!.StartsWith("system:bootstrap:", StringComparison.Ordinal)).ToList();
        Assert.True(clientCsrs.Count >= 5, $"{clientCsrs.Count} node client CSRs made with bootstrap tokens; every node should have made one");

        var bindings = JsonDocument.Parse((await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "clusterrolebindings,rolebindings", "--all-namespaces", "-o", "json")).Stdout)
            .RootElement.GetProperty("items").EnumerateArray()
            .Where(b => b.TryGetProperty("subjects", out var subjects) && subjects.ValueKind == JsonValueKind.Array
                && subjects.EnumerateArray().Any(x => x.GetProperty("name").GetString()!.StartsWith("system:bootstrappers", StringComparison.Ordinal)))
            .Select(b => $"{b.GetProperty("kind").GetString()} {b.GetProperty("roleRef").GetProperty("kind").GetString()}/{b.GetProperty("roleRef").GetProperty("name").GetString()}")
            .Order(StringComparer.Ordinal)
            .ToList();
        // kube-proxy (iptables mode) programs the `kubernetes` Service on every node.
        foreach (var node in ready.Keys)
        {
            var programmed = await UntilAsync(TimeSpan.FromSeconds(60), async () =>
                (await LabMachines.RunAsync(paths, Machine(node), "iptables-save", "-t", "nat")).Stdout.Contains("default/kubernetes:https", StringComparison.Ordinal),
                TimeSpan.FromSeconds(2));
            Assert.True(programmed is not null, $"{node}: no iptables rule for the default/kubernetes Service after 60 s");
            await TheKubeletSkipsTheInstanceMetadataOffEc2Async(paths, node);
        }

        Assert.Equal(
            [
                "ClusterRoleBinding ClusterRole/kubeadm:get-nodes",
                "ClusterRoleBinding ClusterRole/system:certificates.k8s.io:certificatesigningrequests:nodeclient",
                "ClusterRoleBinding ClusterRole/system:node-bootstrapper",
                "ClusterRoleBinding ClusterRole/system:node-bootstrapper",
                "RoleBinding Role/kube-proxy",
                "RoleBinding Role/kubeadm:kubelet-config-1.20",
                "RoleBinding Role/kubeadm:nodes-kubeadm-config",
            ],
            bindings);
    }

    // issue 18: off EC2 the running kubelet has the AWS SDK's switch that skips the instance metadata service (its
    // ECR credential check otherwise waits ~6 s for 169.254.169.254 at every start); on an EC2 host (a CI machine
    // could be one: the lab machines see its DMI) it keeps the lookup. Read from the live process, not the unit.
    private static async Task TheKubeletSkipsTheInstanceMetadataOffEc2Async(LabPaths paths, string node)
    {
        var identity = (await LabMachines.RunAsync(paths, Machine(node), ["cat", "--", .. InstanceMetadata.IdentityFiles])).Stdout;
        var ec2 = InstanceMetadata.IsAmazonEc2(identity);
        var environment = await LabMachines.RunOrFailAsync(paths, Machine(node), "sh", "-c", "tr '\\0' '\\n' < /proc/$(systemctl show -p MainPID --value kubelet.service)/environ");
        Assert.Equal(!ec2, environment.Split('\n').Contains("AWS_EC2_METADATA_DISABLED=true"));
    }

    // issue 6: a second init reports every phase unchanged and restarts nothing (start times equal).
    private static async Task ASecondInitChangesAndRestartsNothingAsync(LabPaths paths, LabClusterFile cluster)
    {
        var before = await StartTimesAsync(paths);
        var again = await BootstrapProcess.RunAsync("init", "-f", cluster.Path, "--output", "json");
        Assert.True(again.ExitCode == 0, again.Output);
        var changed = BootstrapProcess.Events(again.Stdout).Where(e => Event(e) == "host-end" && e.GetProperty("changed").GetBoolean()).Select(e => e.ToString()).ToList();
        Assert.True(changed.Count == 0, "the second init changed:\n" + string.Join('\n', changed));
        AssertNotRestarted(before, await StartTimesAsync(paths));
        await InstallsAreRecordedInTheManifestAsync(paths);
        await TheRecordOfReadsHoldsEveryHostAndNoSecretAsync(paths, cluster);

        // issue 7: `bootstrap join` of nodes that already joined changes nothing.
        var join = await BootstrapProcess.RunAsync("join", "-f", cluster.Path, "--host", "w1,cp2", "--output", "json");
        Assert.True(join.ExitCode == 0, join.Output);
        var joinEvents = BootstrapProcess.Events(join.Stdout);
        Assert.Contains(joinEvents, e => Event(e) == "host-end" && e.GetProperty("phase").GetString() == "kubelet-start" && e.GetProperty("host").GetString() == "w1");
        var joinChanged = joinEvents.Where(e => Event(e) == "host-end" && e.GetProperty("changed").GetBoolean()).Select(e => e.ToString()).ToList();
        Assert.True(joinChanged.Count == 0, "join of joined nodes changed:\n" + string.Join('\n', joinChanged));
        AssertNotRestarted(before, await StartTimesAsync(paths));
    }

    // A member stopped (by hand, or a crash systemd gave up on): a re-run starts it and restarts nothing else. Its API server
    // stays up without its etcd, so the run's reads that the load balancer gives it hang until they are tried again, and every
    // check of etcd's health on cp2 fails until etcd/member's turn: nothing made ahead may wait on that (the run's time is
    // printed, not asserted; the Core tests of PlansAhead and ApiReadRetry hold the mechanisms).
    private static async Task AStoppedEtcdMemberIsStartedAndNothingElseRestartsAsync(LabPaths paths, LabClusterFile cluster)
    {
        var before = await StartTimesAsync(paths);
        await LabMachines.RunOrFailAsync(paths, Machine("cp2"), "systemctl", "stop", "etcd.service");
        var clock = Stopwatch.StartNew();
        var run = await BootstrapProcess.RunAsync("init", "-f", cluster.Path, "--output", "json");
        Console.WriteLine($"AStoppedEtcdMemberIsStartedAndNothingElseRestarts: init took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(run.ExitCode == 0, run.Output);
        var changed = BootstrapProcess.Events(run.Stdout)
            .Where(e => Event(e) == "host-end" && e.GetProperty("changed").GetBoolean())
            .Select(e => $"{e.GetProperty("phase").GetString()} on {e.GetProperty("host").GetString()}")
            .ToList();
        Assert.Equal(["etcd/member on cp2"], changed);
        var after = await StartTimesAsync(paths);
        Assert.True(after[("cp2", "etcd.service")].Since > before[("cp2", "etcd.service")].Since, "etcd on cp2 was not started again");
        AssertNotRestarted(
            before.Where(u => u.Key != ("cp2", "etcd.service")).ToDictionary(),
            after.Where(u => u.Key != ("cp2", "etcd.service")).ToDictionary());
    }

    // A worker's kubelet.conf deleted while its kubelet holds this cluster's client certificate: a kubelet never asks for a
    // certificate while it holds one valid by its dates (it writes kubelet.conf from it), so init waited 2 minutes for a request
    // that never came and failed. Now kubelet.conf is written from that certificate, with no token and no restart, and a
    // restarted kubelet takes it as is. Then the certificate of another cluster's CA in its place, which the kubelet would use
    // instead of any token, and be refused with: removed, and the node joins with a token again.
    private static async Task ALostKubeletConfIsWrittenFromTheKubeletsCertificateAndAnotherClustersIsReplacedAsync(LabPaths paths, LabClusterFile cluster)
    {
        const string KubeletConf = "/etc/kubernetes/kubelet.conf";
        var w1 = Machine("w1");
        var before = await StartTimesAsync(paths);
        var kubeletBefore = (await StartsAsync(paths, w1, "kubelet.service"))["kubelet.service"];
        await LabMachines.RunOrFailAsync(paths, w1, "rm", "-f", KubeletConf);
        var run = await BootstrapProcess.RunAsync("init", "-f", cluster.Path, "--output", "json");
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(["kubelet-start on w1"], ChangedTargets(run.Stdout));
        Assert.DoesNotContain("created bootstrap token", string.Join('\n', Details(run.Stdout, "kubelet-start", "w1")), StringComparison.Ordinal);
        Assert.Equal(kubeletBefore.Since, (await StartsAsync(paths, w1, "kubelet.service"))["kubelet.service"].Since);
        AssertNotRestarted(before, await StartTimesAsync(paths));
        Assert.Equal("600 root root\n", await LabMachines.RunOrFailAsync(paths, w1, "stat", "-c", "%a %U %G", KubeletConf));

        // The kubelet takes the file as it is: were it unusable, the restarted kubelet would write its own over it.
        var written = await LabMachines.RunOrFailAsync(paths, w1, "sha256sum", KubeletConf);
        await LabMachines.RunOrFailAsync(paths, w1, "systemctl", "restart", "kubelet.service");
        Assert.NotNull(await UntilAsync(TimeSpan.FromMinutes(1), async () =>
            (await LabMachines.RunAsync(paths, w1, "curl", "-sf", "http://127.0.0.1:10248/healthz")).Succeeded, TimeSpan.FromSeconds(1)));
        Assert.Equal(written, await LabMachines.RunOrFailAsync(paths, w1, "sha256sum", KubeletConf));
        await AssertReadyAsync(paths, cluster, "w1");

        // Another cluster's certificate for w1, valid now, as the current one; kubelet.conf gone again.
        await LabMachines.RunOrFailAsync(paths, w1, "sh", "-c", """
            set -e; d=$(mktemp -d); cd "$d"
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.crt -subj /CN=another-cluster-ca -days 2 2>/dev/null
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout node.key -out node.csr -subj "/O=system:nodes/CN=system:node:w1" 2>/dev/null
            openssl x509 -req -in node.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 -out node.crt 2>/dev/null
            (umask 077; cat node.crt node.key > /var/lib/kubelet/pki/kubelet-client-another-cluster.pem)
            ln -sfn /var/lib/kubelet/pki/kubelet-client-another-cluster.pem /var/lib/kubelet/pki/kubelet-client-current.pem
            rm -rf "$d" /etc/kubernetes/kubelet.conf
            """);
        run = await BootstrapProcess.RunAsync("init", "-f", cluster.Path, "--output", "json");
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(["kubelet-start on w1"], ChangedTargets(run.Stdout));
        var details = string.Join('\n', Details(run.Stdout, "kubelet-start", "w1"));
        Assert.Contains("removed /var/lib/kubelet/pki/kubelet-client-current.pem", details, StringComparison.Ordinal);
        Assert.Contains("node w1 joined", details, StringComparison.Ordinal);
        var issuer = await LabMachines.RunOrFailAsync(paths, w1, "openssl", "x509", "-noout", "-issuer", "-in", "/var/lib/kubelet/pki/kubelet-client-current.pem");
        Assert.Equal("issuer=CN = kubernetes\n", issuer);
        await AssertReadyAsync(paths, cluster, "w1");
        await LabMachines.RunOrFailAsync(paths, w1, "rm", "-f", "/var/lib/kubelet/pki/kubelet-client-another-cluster.pem");
    }

    // A Node deleted by hand while its kubelet runs: the v1.20 kubelet registers its Node only when it starts, so init waited
    // 3 minutes for the registration and failed. Now the kubelet is restarted, registers its Node again, and it is Ready.
    private static async Task ADeletedNodeIsRegisteredAgainByAKubeletRestartAsync(LabPaths paths, LabClusterFile cluster)
    {
        var deleted = await KubectlAsync(paths, cluster.AdminKubeconfig, "delete", "node", "w2");
        Assert.True(deleted.ExitCode == 0, deleted.Output);
        var run = await BootstrapProcess.RunAsync("init", "-f", cluster.Path, "--output", "json");
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("kubelet-start on w2", ChangedTargets(run.Stdout));
        Assert.Contains(Details(run.Stdout, "kubelet-start", "w2"), d => d.StartsWith("restarted kubelet.service (node w2 is not registered", StringComparison.Ordinal));
        await AssertReadyAsync(paths, cluster, "w2");
    }

    // A unit file removed (and systemd reloaded) while its service runs: systemd holds the running unit as not found, and
    // restarting it after the file is written back needs daemon-reload first ("failed to load properly"); init failed there.
    private static async Task AUnitFileRemovedUnderARunningServiceIsWrittenBackAndReloadedAsync(LabPaths paths, LabClusterFile cluster)
    {
        await LabMachines.RunOrFailAsync(paths, Machine("cp2"), "sh", "-c", "rm /etc/systemd/system/kube-scheduler.service && systemctl daemon-reload");
        var run = await BootstrapProcess.RunAsync("init", "-f", cluster.Path, "--output", "json");
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(["control-plane/scheduler on cp2"], ChangedTargets(run.Stdout));
        var details = Details(run.Stdout, "control-plane/scheduler", "cp2").ToList();
        Assert.Contains(details, d => d.StartsWith("reloaded systemd's unit files", StringComparison.Ordinal));
        Assert.Equal("LoadState=loaded\nActiveState=active\n", await LabMachines.RunOrFailAsync(paths, Machine("cp2"), "systemctl", "show", "-p", "LoadState", "-p", "ActiveState", "kube-scheduler.service"));
    }

    // /dev/zero linked in a file's place (a mistaken `ln -sf`): hashing it hung the run for good, and reading it whole would
    // have filled the workstation's memory. An identity file on cp3 (etcd's CA key, which no component reads), the file the VRRP
    // password is read from on lb2, and haproxy.cfg on lb1: the run ends at once, naming each host and file, and changes
    // nothing; once the two it cannot judge are removed, as it says, the next run writes all three back.
    private static async Task ADeviceInAFilesPlaceIsNeverReadAndTheRunSaysWhereAsync(LabPaths paths, LabClusterFile cluster)
    {
        (string Machine, string File)[] replaced =
            [("cp3", "/etc/kubernetes/pki/etcd/ca.key"), ("lb2", "/etc/keepalived/keepalived.conf"), ("lb1", "/etc/haproxy/haproxy.cfg")];
        foreach (var (machine, file) in replaced)
        {
            await LabMachines.RunOrFailAsync(paths, Machine(machine), "sh", "-c", "cp -a -- \"$1\" /root/before-device && ln -sf /dev/zero \"$1\"", "sh", file);
        }

        var refused = await BootstrapProcess.RunAsync(TimeSpan.FromMinutes(3), "init", "-f", cluster.Path);
        Assert.True(refused.ExitCode == 1, refused.Output);
        Assert.Contains("lb2: cannot read /etc/keepalived/keepalived.conf as root: /etc/keepalived/keepalived.conf is not a regular file", refused.Output, StringComparison.Ordinal);
        Assert.Contains("/etc/kubernetes/pki/etcd/ca.key: the host has an empty file, or no regular file", refused.Output, StringComparison.Ordinal);
        Assert.Contains("remove it on cp3 (`sudo rm -- /etc/kubernetes/pki/etcd/ca.key`)", refused.Output, StringComparison.Ordinal);

        await LabMachines.RunOrFailAsync(paths, Machine("cp3"), "rm", "--", "/etc/kubernetes/pki/etcd/ca.key");
        await LabMachines.RunOrFailAsync(paths, Machine("lb2"), "rm", "--", "/etc/keepalived/keepalived.conf");
        var run = await BootstrapProcess.RunAsync(TimeSpan.FromMinutes(5), "init", "-f", cluster.Path, "--output", "json");
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("replaced /etc/haproxy/haproxy.cfg (content differs)", Details(run.Stdout, "load-balancer", "lb1"));
        foreach (var (machine, file) in replaced)
        {
            Assert.Equal("regular file\n", await LabMachines.RunOrFailAsync(paths, Machine(machine), "sh", "-c", "cmp -- \"$1\" /root/before-device && rm /root/before-device && stat -c %F -- \"$1\"", "sh", file));
        }

        Assert.Equal("active\nactive\n", await LabMachines.RunOrFailAsync(paths, Machine("lb1"), "systemctl", "is-active", "haproxy", "keepalived"));
        Assert.Equal("active\nactive\n", await LabMachines.RunOrFailAsync(paths, Machine("lb2"), "systemctl", "is-active", "haproxy", "keepalived"));

        // etcd's unit on cp2 (systemd keeps the unit it loaded, etcd runs on): it was read with `cat`, which printed /dev/zero until
        // the run was killed, the workstation's CLI past 1 GiB. Now it is refused at once with what to do, and after the removal
        // the next run writes the unit and restarts etcd safely.
        const string unit = "/etc/systemd/system/etcd.service";
        await LabMachines.RunOrFailAsync(paths, Machine("cp2"), "ln", "-sf", "/dev/zero", unit);
        var unitRefused = await BootstrapProcess.RunAsync(TimeSpan.FromMinutes(3), "init", "-f", cluster.Path);
        Assert.True(unitRefused.ExitCode == 1, unitRefused.Output);
        Assert.Contains(
            $"cp2: cannot read {unit}: {unit} is not a regular file (a directory, a device or a FIFO), which is never read; remove it (`sudo rm -- {unit}`) and run again",
            unitRefused.Output, StringComparison.Ordinal);
        await LabMachines.RunOrFailAsync(paths, Machine("cp2"), "rm", "--", unit);
        var unitWritten = await BootstrapProcess.RunAsync(TimeSpan.FromMinutes(5), "init", "-f", cluster.Path, "--output", "json");
        Assert.True(unitWritten.ExitCode == 0, unitWritten.Output);
        Assert.Contains($"created {unit}", Details(unitWritten.Stdout, "etcd/member", "cp2"));
        Assert.Equal("regular file\nactive\n", await LabMachines.RunOrFailAsync(paths, Machine("cp2"), "sh", "-c", "stat -c %F -- \"$1\" && systemctl is-active etcd", "sh", unit));
    }

    private static List<string> ChangedTargets(string stdout) => BootstrapProcess.Events(stdout)
        .Where(e => Event(e) == "host-end" && e.GetProperty("changed").GetBoolean())
        .Select(e => $"{e.GetProperty("phase").GetString()} on {e.GetProperty("host").GetString()}")
        .ToList();

    private static IEnumerable<string> Details(string stdout, string phase, string host) => BootstrapProcess.Events(stdout)
        .Where(e => Event(e) == "host-end" && e.GetProperty("phase").GetString() == phase && e.GetProperty("host").GetString() == host)
        .SelectMany(e => e.TryGetProperty("details", out var d) ? d.EnumerateArray().Select(x => x.GetString() ?? string.Empty) : []);

    private static async Task AssertReadyAsync(LabPaths paths, LabClusterFile cluster, string node) =>
        Assert.True(
            await UntilAsync(TimeSpan.FromMinutes(2), async () =>
                (await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "node", node, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).Stdout.Trim() == "True",
                TimeSpan.FromSeconds(2)) is not null,
            $"node {node} is not Ready within 2 minutes");

    // issue 18: what the runs' plans read is kept for the next run to read each host at once (cache/reads.json in the state,
    // 0600): the reads of every kind of host, and none of the cluster's secrets (VRRP password, encryption keys, any join token).
    private static async Task TheRecordOfReadsHoldsEveryHostAndNoSecretAsync(LabPaths paths, LabClusterFile cluster)
    {
        var record = Path.Combine(cluster.State, "cache", "reads.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(record));
        var text = await File.ReadAllTextAsync(record);
        using (var json = JsonDocument.Parse(text))
        {
            var hosts = json.RootElement.GetProperty("hosts");
            foreach (var host in new[] { "lb1", "cp1", "w1" })
            {
                Assert.True(hosts.TryGetProperty(host, out var phases) && phases.EnumerateObject().Any(p => p.Value.GetArrayLength() > 0), $"no reads recorded for {host}");
            }
        }

        var secrets = new List<string> { (await File.ReadAllTextAsync(Path.Combine(cluster.State, "secrets", "vrrp-password"))).Trim() };
        secrets.AddRange((await File.ReadAllLinesAsync(Path.Combine(cluster.State, "secrets", "encryption-keys"))).Select(l => l.Split(' ').Last()).Where(k => k.Length > 0));
        var tokens = await KubectlAsync(paths, cluster.AdminKubeconfig, "-n", "kube-system", "get", "secrets", "--field-selector", "type=bootstrap.kubernetes.io/token",
            "-o", "jsonpath={range .items[*]}{.data.token-secret}{\"\\n\"}{end}");
        Assert.True(tokens.ExitCode == 0, tokens.Output);
        secrets.AddRange(tokens.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(b => System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(b))));
        // The VRRP password and at least one encryption key; join tokens when one is still there (they expire or go once used).
        Assert.True(secrets.Count >= 2, $"only {secrets.Count} secrets to look for");
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, text, StringComparison.Ordinal));
    }

    // issue 18: the installs recorded each binary in the host's manifest of installed files (root's, 0600), with its sha256 and
    // its identity as stat reads it now: what lets a run that changes nothing read no binary again.
    private static async Task InstallsAreRecordedInTheManifestAsync(LabPaths paths)
    {
        const string Manifest = "/var/lib/bootstrap/installed-files";
        foreach (var (machine, binary) in new[] { (Machine("cp1"), "kube-apiserver"), (Machine("w1"), "kubelet") })
        {
            var path = "/usr/local/bin/" + binary;
            Assert.Equal("600 root root\n", await LabMachines.RunOrFailAsync(paths, machine, "stat", "-c", "%a %U %G", Manifest));
            var manifest = "\n" + await LabMachines.RunOrFailAsync(paths, machine, "cat", Manifest);
            var sha256 = (await LabMachines.RunOrFailAsync(paths, machine, "sha256sum", path))[..64];
            var stat = await LabMachines.RunOrFailAsync(paths, machine, "stat", "-c", "%s %.9Y %.9Z %i %d %n", path);
            Assert.Contains($"\n{sha256} {stat}", manifest, StringComparison.Ordinal);
        }
    }

    // issue 7: tokens from `bootstrap token`; a stock kubeadm v1.20.2 join on the spare machine (not in the cluster
    // file) with the printed join command; a deleted token is refused clearly and leaves the host ready to retry.
    private static async Task StockKubeadmJoinsTheSpareWithABootstrapTokenAsync(LabPaths paths, LabClusterFile cluster)
    {
        var spare = Machine("spare");
        await using var host = await LabMachines.ConnectAsync(paths, spare);
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(12));
        var token = deadline.Token;
        foreach (var binary in new[] { "kubeadm", "kubelet" })
        {
            await using var file = File.OpenRead(Path.Combine(paths.Artifacts, binary));
            await host.UploadAsync(file, new FileSpec("/usr/local/bin/" + binary, Mode: 0b111_101_101), token);
        }

        await using (var prep = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Init", "Files", "kubeadm-node-prep.sh")))
        {
            await host.UploadAsync(prep, new FileSpec("/root/kubeadm-node-prep.sh", Mode: 0b111_000_000), token);
        }

        var prepared = await host.RunAsync(RemoteCommand.Of("/root/kubeadm-node-prep.sh"), token);
        Assert.True(prepared.Succeeded, "preparing spare for kubeadm: " + prepared.Stderr);

        // Create, list (never the secret), delete.
        var created = await BootstrapProcess.RunAsync("token", "create", "-f", cluster.Path, "--ttl", "10m", "--description", "deleted before use");
        Assert.True(created.ExitCode == 0, created.Output);
        var deleted = created.Stdout.Trim();
        Assert.Matches("^[a-z0-9]{6}\\.[a-z0-9]{16}$", deleted);
        var list = await BootstrapProcess.RunAsync("token", "list", "-f", cluster.Path, "--output", "json");
        Assert.True(list.ExitCode == 0, list.Output);
        Assert.Contains(deleted.Split('.')[0], list.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(deleted.Split('.')[1], list.Output, StringComparison.Ordinal);
        var delete = await BootstrapProcess.RunAsync("token", "delete", "-f", cluster.Path, deleted.Split('.')[0]);
        Assert.True(delete.ExitCode == 0, delete.Output);

        // A stock kubeadm with the deleted token: refused with kubeadm's own message (discovery cut to 30 s by its config).
        var joinCommand = await BootstrapProcess.RunAsync("token", "create", "-f", cluster.Path, "--ttl", "30m", "--print-join-command");
        Assert.True(joinCommand.ExitCode == 0, joinCommand.Output);
        var words = joinCommand.Stdout.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["kubeadm", "join", $"{Vip}:6443", "--token"], words[..4]);
        var hash = words[Array.IndexOf(words, "--discovery-token-ca-cert-hash") + 1];
        var stale = $"""
            apiVersion: kubeadm.k8s.io/v1beta2
            kind: JoinConfiguration
            discovery:
              timeout: 30s
              bootstrapToken:
                apiServerEndpoint: {Vip}:6443
                token: {deleted}
                caCertHashes: [{hash}]
            """;
        await host.UploadAsync(System.Text.Encoding.UTF8.GetBytes(stale), new FileSpec("/root/join-deleted-token.yaml", Mode: 0b110_000_000), token);
        var refused = await host.RunAsync(new RemoteCommand(["/usr/local/bin/kubeadm", "join", "--config", "/root/join-deleted-token.yaml", "--ignore-preflight-errors=all"], timeout: TimeSpan.FromMinutes(3)), token);
        Assert.False(refused.Succeeded, "kubeadm joined with a deleted token:\n" + refused.Stdout);
        // kubeadm v1.20's discovery polls cluster-info for the token's signature until its timeout, then says so.
        var said = refused.Stdout + refused.Stderr;
        Assert.True(
            said.Contains($"could not find a JWS signature in the cluster-info ConfigMap for token ID \"{deleted.Split('.')[0]}\"", StringComparison.Ordinal)
            || said.Contains($"token id \"{deleted.Split('.')[0]}\" is invalid for this cluster or it has expired", StringComparison.Ordinal),
            "kubeadm did not say the token is unknown:\n" + said);
        Assert.False((await host.RunAsync(RemoteCommand.Of("test", "-e", "/etc/kubernetes/kubelet.conf"), token)).Succeeded);

        // The printed command, as is (preflight errors ignored: the lab machine is a container, which kubeadm's system checks do not know).
        var joined = await host.RunAsync(new RemoteCommand([$"/usr/local/bin/{words[0]}", .. words[1..], "--ignore-preflight-errors=all"], timeout: TimeSpan.FromMinutes(6)), token);
        Assert.True(joined.Succeeded, "kubeadm join failed:\n" + joined.Stdout + joined.Stderr);
        Assert.Contains("This node has joined the cluster", joined.Stdout, StringComparison.Ordinal);
        var ready = await UntilAsync(TimeSpan.FromMinutes(3), async () =>
            (await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "node", "spare", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).Stdout.Trim() == "True",
            TimeSpan.FromSeconds(2));
        Assert.True(ready is not null, "spare did not become Ready within 3 minutes of kubeadm join");
    }

    // issue 16: an init routes the pods of the Node a stock kubeadm joined on every node; that Node leaves as kubeadm's docs say
    // (`kubeadm reset` on it, its Node deleted) and the next init deletes those routes. The workload checks then run on the file's nodes.
    private static async Task TheKubeadmJoinedSpareLeavesAndInitTakesItsRoutesAwayAsync(LabPaths paths, LabClusterFile cluster)
    {
        var range = (await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "node", "spare", "-o", "jsonpath={.spec.podCIDR}")).Stdout.Trim();
        Assert.Matches("^10\\.244\\.[0-9]+\\.0/24$", range);
        var routed = await BootstrapProcess.RunAsync("init", "-f", cluster.Path);
        Assert.True(routed.ExitCode == 0, routed.Output);
        foreach (var node in BootstrapNodes)
        {
            Assert.Contains(range + " via " + Machine("spare").Address, await RoutesAsync(node), StringComparison.Ordinal);
        }

        await LabMachines.RunOrFailAsync(paths, Machine("spare"), "/usr/local/bin/kubeadm", "reset", "-f");
        var deleted = await KubectlAsync(paths, cluster.AdminKubeconfig, "delete", "node", "spare");
        Assert.True(deleted.ExitCode == 0, deleted.Output);
        // What kubeadm reset leaves (it says so itself): the admin's node preparation, removed as an admin returns the machine
        // to the pool. The spare joins again later, as a control plane installed by Bootstrap (the etcd steps).
        await LabMachines.RunOrFailAsync(paths, Machine("spare"), "sh", "-c",
            "systemctl disable --now kubelet containerd >/dev/null 2>&1; rm -rf /etc/systemd/system/kubelet.service /etc/systemd/system/kubelet.service.d "
            + "/etc/containerd/config.toml /etc/cni/net.d/10-spare-bridge.conflist /root/kubeadm-node-prep.sh /usr/local/bin/kubeadm /usr/local/bin/kubelet; "
            + "ip link delete cni0 2>/dev/null; systemctl daemon-reload");

        var init = await BootstrapProcess.RunAsync("init", "-f", cluster.Path);
        Assert.True(init.ExitCode == 0, init.Output);
        foreach (var node in BootstrapNodes)
        {
            Assert.DoesNotContain(range, await RoutesAsync(node), StringComparison.Ordinal);
        }

        // Bootstrap's routes on a node: those of its own routing protocol number.
        Task<string> RoutesAsync(string node) => LabMachines.RunOrFailAsync(paths, Machine(node), "ip", "-4", "route", "show", "proto", "158");
    }

    // issue 6: URL artifacts, served by a plain HTTP server on the lab bridge; a missing binary is fetched once and installed where missing only.
    private static async Task UrlArtifactsAreFetchedOnceAndOnlyWhereMissingAsync(LabPaths paths, LabClusterFile cluster)
    {
        var sums = (await File.ReadAllLinesAsync(Path.Combine(paths.Artifacts, "SHA256SUMS")))
            .Select(l => l.Split("  ", 2)).ToDictionary(p => p[1], p => p[0], StringComparer.Ordinal);
        var port = 18080 + (Environment.ProcessId % 1000);
        var url = cluster.Variant("cluster-url.yaml", text => text.Replace(
            $"    directory: {paths.Artifacts}",
            $"    baseUrl: http://192.168.56.1:{port}/v1.20.2/\n    sha256:\n" + string.Concat(sums.Select(s => $"      {s.Key}: {s.Value}\n")).TrimEnd('\n'),
            StringComparison.Ordinal));
        Assert.Contains($"baseUrl: http://192.168.56.1:{port}/v1.20.2/", await File.ReadAllTextAsync(url), StringComparison.Ordinal);
        var log = Path.Combine(cluster.Directory, "http.log");
        using var server = Process.Start(new ProcessStartInfo("python3", ["-m", "http.server", "--bind", "192.168.56.1", "--directory", Path.GetDirectoryName(paths.Artifacts)!, port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var requests = new List<string>();
        server.ErrorDataReceived += (_, e) =>
        {
            lock (requests)
            {
                if (e.Data is { } line && line.Contains("\"GET /v1.20.2/", StringComparison.Ordinal))
                {
                    requests.Add(line);
                }
            }
        };
        server.BeginErrorReadLine();
        try
        {
            Assert.NotNull(await UntilAsync(TimeSpan.FromSeconds(20), async () =>
            {
                using var http = new HttpClient();
                try
                {
                    return (await http.GetAsync(new Uri($"http://192.168.56.1:{port}/"))).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }));
            // kubectl gone from cp2, with the copy staged by digest beside the binaries (which would bring it back without a transfer).
            await LabMachines.RunOrFailAsync(paths, Machine("cp2"), "sh", "-c", "rm -f /usr/local/bin/kubectl /var/lib/bootstrap/binaries/kubectl-*");

            var run = await BootstrapProcess.RunAsync("init", "phase", "artifacts", "-f", url, "--output", "json");

            Assert.True(run.ExitCode == 0, run.Output);
            // `init phase artifacts` also runs the identity guard first (it always runs before a phase that writes).
            var hosts = BootstrapProcess.Events(run.Stdout)
                .Where(e => Event(e) == "host-end" && e.GetProperty("phase").GetString() == "artifacts")
                .ToDictionary(e => e.GetProperty("host").GetString()!);
            Assert.True(hosts["cp2"].GetProperty("changed").GetBoolean(), hosts["cp2"].ToString());
            var details = hosts["cp2"].GetProperty("details").EnumerateArray().Select(d => d.GetString()!).ToList();
            Assert.Contains("created /usr/local/bin/kubectl", details);
            Assert.All(details, d => Assert.StartsWith("created /", d, StringComparison.Ordinal));
            Assert.All(details, d => Assert.Contains("kubectl", d, StringComparison.Ordinal));
            Assert.False(hosts["cp1"].GetProperty("changed").GetBoolean());
            Assert.False(hosts["cp3"].GetProperty("changed").GetBoolean());
            lock (requests)
            {
                Assert.Equal(1, requests.Count(r => r.Contains("GET /v1.20.2/kubectl HTTP", StringComparison.Ordinal)));
                Assert.True(requests.Count == 1, string.Join('\n', requests));
            }

            Assert.Contains("Client Version: v1.20.2", await LabMachines.RunOrFailAsync(paths, Machine("cp2"), "/usr/local/bin/kubectl", "version", "--client", "--short"), StringComparison.Ordinal);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            File.WriteAllLines(log, requests);
        }
    }

    // issue 6: `certs renew` then init pushes the new certificates and restarts the API servers one at a time; the API never stops answering.
    // The probe is a request a client makes (authenticated, authorized, read from etcd), not /readyz: a
    // stopping API server fails /readyz on purpose, so that the load balancer drops it while it still serves.
    private static async Task RenewedCertificatesRollOutWithoutDowntimeAsync(LabPaths paths, LabClusterFile cluster)
    {
        var renew = await BootstrapProcess.RunAsync("certs", "renew", "apiserver", "--state-dir", cluster.State);
        Assert.True(renew.ExitCode == 0, renew.Output);
        var before = await StartTimesAsync(paths);

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
        var init = await BootstrapProcess.RunAsync("init", "-f", cluster.Path);
        await stop.CancelAsync();
        await probing;

        Assert.True(init.ExitCode == 0, init.Output);
        var after = await StartTimesAsync(paths);
        var restarted = ControlPlanes.Select(cp => after[(cp, "kube-apiserver.service")].Since).ToArray();
        Assert.All(ControlPlanes, cp => Assert.True(after[(cp, "kube-apiserver.service")].Since > before[(cp, "kube-apiserver.service")].Since, $"{cp}: kube-apiserver was not restarted"));
        AssertNotRestarted(before, after, except: "kube-apiserver.service");
        Assert.Equal(3, restarted.Distinct().Count());
        Assert.True(probes > 5 && failures.IsEmpty, $"{failures.Count} of {probes} reads through the VIP failed during the rolling restart:\n{string.Join('\n', failures.Take(5))}");
        var renewed = await FileCertificateAsync(Path.Combine(cluster.State, "pki", "apiserver.crt"));
        foreach (var cp in ControlPlanes)
        {
            Assert.Equal(renewed, await ServedCertificateAsync($"{Machine(cp).Address}:6443"));
        }
    }

    // issue 6: cp1 powered off, the API still answers and takes writes through the VIP; powered on, cp1 serves again on its own.
    private static async Task LosingCp1KeepsTheApiWritableAndItRejoinsAsync(LabPaths paths, LabClusterFile cluster)
    {
        var stop = await LabScript.RunAsync(TimeSpan.FromMinutes(2), null, "stop", "cp1");
        Assert.True(stop.ExitCode == 0, stop.Output);

        var written = await UntilAsync(TimeSpan.FromSeconds(60), async () =>
            (await KubectlAsync(paths, cluster.AdminKubeconfig, "create", "configmap", "written-without-cp1", "--from-literal=cp1=off")).ExitCode == 0);
        Assert.True(written is not null, "no write through the VIP succeeded within 60 s with cp1 off");
        var read = await KubectlAsync(paths, cluster.AdminKubeconfig, "get", "configmap", "written-without-cp1", "-o", "jsonpath={.data.cp1}");
        Assert.Equal("off", read.Stdout);

        var start = await LabScript.RunAsync(TimeSpan.FromMinutes(3), null, "start", "cp1");
        Assert.True(start.ExitCode == 0, start.Output);
        var back = await UntilAsync(TimeSpan.FromMinutes(3), async () =>
            (await KubectlAsync(paths, cluster.AdminKubeconfig, "--server", "https://192.168.56.21:6443", "get", "configmap", "written-without-cp1")).ExitCode == 0,
            TimeSpan.FromSeconds(2));
        Assert.True(back is not null, "cp1's API server did not serve the write made while it was off within 3 minutes of power-on");
        await EtcdIsAThreeMemberMutualTlsClusterAsync(paths);
    }

    // issue 6: the VIP moves to the other load balancer and the API answers through it within 10 s.
    private static async Task LosingTheVipHolderMovesTheVipWithinTenSecondsAsync(LabPaths paths, LabClusterFile cluster)
    {
        var holder = await VipHolderAsync(paths);
        Assert.NotNull(holder);
        var other = LoadBalancers.Single(lb => lb != holder);

        var stop = await LabScript.RunAsync(TimeSpan.FromMinutes(2), null, "stop", holder);
        Assert.True(stop.ExitCode == 0, stop.Output);
        var answered = await UntilAsync(TimeSpan.FromSeconds(30), async () =>
            (await KubectlAsync(paths, cluster.AdminKubeconfig, "--request-timeout=2s", "get", "--raw", "/readyz")).ExitCode == 0, TimeSpan.FromMilliseconds(200));

        Assert.True(answered is not null && answered < TimeSpan.FromSeconds(10), $"the API answered through the VIP after {answered?.TotalSeconds:0.0} s (limit 10 s) with {holder} off");
        Assert.Equal(other, await VipHolderAsync(paths, other));
        var start = await LabScript.RunAsync(TimeSpan.FromMinutes(3), null, "start", holder);
        Assert.True(start.ExitCode == 0, start.Output);
    }

    private static async Task<Dictionary<(string Host, string Unit), UnitStart>> StartTimesAsync(LabPaths paths)
    {
        var times = new Dictionary<(string Host, string Unit), UnitStart>();
        foreach (var (names, units) in new[] { (ControlPlanes, ControlPlaneUnits), (LoadBalancers, LoadBalancerUnits) })
        {
            foreach (var name in names)
            {
                foreach (var (unit, start) in await LabInspection.StartsAsync(paths, Machine(name), units))
                {
                    Assert.True(start.Since > 0, $"{name}: {unit} is not active");
                    times[(name, unit)] = start;
                }
            }
        }

        return times;
    }

    /// <summary>
    /// Every unit of <paramref name="after"/> but those of <paramref name="except"/> started when it did in <paramref name="before"/>,
    /// unless systemd restarted it by itself in between (its process exited: on a starved machine the controller manager and the
    /// scheduler exit when they lose their leader lease). Bootstrap restarts with <c>systemctl restart</c>, which that count never
    /// includes, so a restart of Bootstrap's still fails here.
    /// </summary>
    private static void AssertNotRestarted(
        Dictionary<(string Host, string Unit), UnitStart> before, Dictionary<(string Host, string Unit), UnitStart> after, string? except = null)
    {
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        var restarted = after
            .Where(u => u.Key.Unit != except && u.Value.Since != before[u.Key].Since && u.Value.Restarts == before[u.Key].Restarts)
            .Select(u => $"{u.Key.Host}: {u.Key.Unit} started at {before[u.Key].Since}, now at {u.Value.Since}")
            .ToList();
        Assert.True(restarted.Count == 0, "restarted, and not by systemd after an exit:\n" + string.Join('\n', restarted));
    }

    private static string? Event(JsonElement e) => e.GetProperty("event").GetString();
}

/// <summary>A step of <see cref="InitLabTests"/> failed: its name, its time and the step's own message, with the step's exception inside.</summary>
internal sealed class StepFailedException(string message, Exception inner) : Exception(message, inner);
