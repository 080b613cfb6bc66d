using System.Diagnostics;
using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Etcd;
using Bootstrap.Core.Pki;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Rendering;
using Bootstrap.Core.Tests.Pki;

namespace Bootstrap.Core.Tests.Etcd;

/// <summary>
/// The etcd client's commands against real etcd 3.4 with mutual TLS on loopback (Debian's etcd-server and etcd-client,
/// which scripts/setup-host installs): a learner added, started with the initial-cluster flags Bootstrap renders and
/// promoted once in sync; leadership moved; a member removed; a snapshot saved, checked, restored into a new cluster;
/// and the backup script run on its own with its retention. In order, in one test: each step needs the one before.
/// </summary>
[Trait("Requires", "etcd")]
public sealed class EtcdClientRealEtcdTests : IDisposable
{
    private const string Etcd = "/usr/bin/etcd";
    private const string Etcdctl = "/usr/bin/etcdctl";

    private readonly TemporaryDirectory _directory = new();
    private readonly Dictionary<string, Process> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Client, int Peer)> _ports = new(StringComparer.Ordinal);
    private readonly SecretRedactor _redactor = new();
    private string _state = string.Empty;

    public void Dispose()
    {
        foreach (var member in _members.Values)
        {
            Stop(member);
        }

        _directory.Dispose();
    }

    [Fact]
    public async Task A_learner_joins_is_promoted_leads_and_leaves_and_a_snapshot_restores_into_a_new_cluster()
    {
        Assert.True(File.Exists(Etcd) && File.Exists(Etcdctl), $"{Etcd} and {Etcdctl} are required: scripts/setup-host installs Debian's etcd-server and etcd-client");
        _state = _directory.Combine("state");
        var names = new[] { "e1", "e2", "e3", "e4", "r1" };
        var request = PkiRequests.Single() with { EtcdMembers = [.. names.Select(n => new PkiHost(n, "127.0.0.1"))] };
        await new PkiManager(TimeProvider.System).EnsureAsync(request, _state, CancellationToken.None);
        var free = LoopbackPorts.Free(names.Length * 2);
        for (var i = 0; i < names.Length; i++)
        {
            _ports[names[i]] = (free[2 * i], free[(2 * i) + 1]);
        }

        var initial = new EtcdInitialCluster(string.Join(',', new[] { "e1", "e2", "e3" }.Select(n => $"{n}={Peer(n)}")), EtcdClusterState.New, "etcd-test");
        foreach (var name in new[] { "e1", "e2", "e3" })
        {
            Start(name, initial);
        }

        var e1 = Client("e1");
        Assert.True(await EventuallyAsync(() => e1.LocalHealthyAsync(CancellationToken.None)), "the new cluster did not become healthy");

        // Read: members, health, status; the decision for a fourth host is to add it.
        var members = await e1.MembersAsync(CancellationToken.None);
        Assert.Equal(["e1", "e2", "e3"], members.Select(m => m.Name).Order(StringComparer.Ordinal));
        var endpoints = members.Select(m => m.ClientUrls[0]).ToList();
        var health = await e1.HealthAsync(endpoints, CancellationToken.None);
        Assert.All(health, h => Assert.True(h.Healthy, h.Error));
        var status = await e1.StatusAsync(endpoints, CancellationToken.None);
        Assert.Single(status, s => s.IsLeader);
        var view = EtcdObserver.View(members, health, status);
        Assert.Equal(3, view.Healthy.Count);
        var facts = names.Take(4).Select(n => new EtcdHostFacts(n, Peer(n), HasData: n != "e4", initial)).ToList();
        var decision = EtcdMembershipPolicy.Decide(facts, view);
        Assert.Equal((EtcdMembershipAction.Add, "e4"), (decision.Action, decision.Host));

        // Add e4 as a learner (etcd refuses changes until its members have been connected for 5 s), start it, promote it.
        var learner = await RetryAsync(() => e1.AddLearnerAsync("e4", Peer("e4"), CancellationToken.None), "unhealthy cluster");
        Assert.True(learner.IsLearner);
        var afterAdd = await e1.MembersAsync(CancellationToken.None);
        Assert.Equal(EtcdMembershipAction.Promote, EtcdMembershipPolicy.Decide(facts, view with { Members = afterAdd }).Action);
        Start("e4", new EtcdInitialCluster(string.Join(',', names.Take(4).Select(n => $"{n}={Peer(n)}")), EtcdClusterState.Existing, "etcd-test"));
        Assert.True(await EventuallyAsync(() => e1.PromoteAsync(learner.Id, CancellationToken.None)), "e4 was never promoted");
        var four = await e1.MembersAsync(CancellationToken.None);
        Assert.Equal(4, four.Count(m => !m.IsLearner));
        Assert.Equal("e4", four.Single(m => m.Id == learner.Id).Name);

        // e4 leads, then hands leadership on and leaves.
        var all = four.Select(m => m.ClientUrls[0]).ToList();
        await e1.MoveLeaderAsync(learner.Id, all, CancellationToken.None);
        Assert.Equal(learner.Id, (await e1.StatusAsync(all, CancellationToken.None)).First().Leader);
        var e1Id = four.Single(m => m.Name == "e1").Id;
        await e1.MoveLeaderAsync(e1Id, all, CancellationToken.None);
        await e1.RemoveAsync(learner.Id, CancellationToken.None);
        Assert.Equal(["e1", "e2", "e3"], (await e1.MembersAsync(CancellationToken.None)).Select(m => m.Name).Order(StringComparer.Ordinal));
        var refused = await Assert.ThrowsAsync<EtcdException>(() => e1.RemoveAsync(learner.Id, CancellationToken.None));
        Assert.Contains("member not found", refused.Message, StringComparison.Ordinal);

        // A snapshot with a key in it: saved, read by snapshot status, whole by its trailing sha256; restored as a new one-member cluster.
        Assert.Equal(0, Ctl("e1", "put", "/bootstrap/restored", "yes").ExitCode);
        var snapshot = _directory.Combine("snapshot.db");
        await e1.SaveSnapshotAsync(snapshot, CancellationToken.None);
        var read = await e1.SnapshotStatusAsync(snapshot, CancellationToken.None);
        Assert.True(read.Revision >= 2 && read.TotalKeys >= 1, read.ToString());
        Assert.Null(await EtcdSnapshotFile.TrailerProblemAsync(snapshot, CancellationToken.None));
        var data = _directory.Combine("data-r1");
        await e1.RestoreSnapshotAsync(snapshot, "r1", $"r1={Peer("r1")}", "etcd-test-restored", Peer("r1"), data, CancellationToken.None);
        Start("r1", new EtcdInitialCluster("ignored=https://127.0.0.1:1", EtcdClusterState.New, "ignored-with-data"));
        var r1 = Client("r1");
        Assert.True(await EventuallyAsync(() => r1.LocalHealthyAsync(CancellationToken.None)), "the restored member did not become healthy");
        Assert.Contains("yes", Ctl("r1", "get", "/bootstrap/restored").Output, StringComparison.Ordinal);
        Assert.Single(await r1.MembersAsync(CancellationToken.None));

        // The backup script, as a timer would run it: three runs a second apart, the newest two kept, each a whole snapshot.
        var config = LabCluster.Load();
        var backups = _directory.Combine("backups");
        var script = _directory.Combine("etcd-backup");
        var settings = new EtcdctlSettings(Etcdctl, CaCert, Credential("crt"), Credential("key"), AsRoot: false);
        await File.WriteAllTextAsync(script, new EtcdBackupFiles(new TemplateRenderer())
            .Render(config, config.Host("cp1"), new EtcdBackupSpec { Keep = 2, Directory = backups }, settings, $"https://127.0.0.1:{_ports["e1"].Client}").Script);
        for (var run = 0; run < 3; run++)
        {
            var result = await new LocalHost("workstation", _redactor, Serilog.Core.Logger.None).RunAsync(RemoteCommand.Of("sh", script), CancellationToken.None);
            Assert.True(result.Succeeded, result.Stdout + result.Stderr);
            await Task.Delay(TimeSpan.FromSeconds(1.1));
        }

        var kept = Directory.GetFiles(backups).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, kept.Count);
        Assert.All(kept, k => Assert.Matches("^lab-cp1-[0-9]{8}T[0-9]{6}Z\\.db$", k));
        foreach (var file in kept)
        {
            Assert.Null(await EtcdSnapshotFile.TrailerProblemAsync(Path.Combine(backups, file!), CancellationToken.None));
        }
    }

    private string CaCert => Path.Combine(_state, "pki", "etcd", "ca.crt");

    private string Credential(string extension) => Path.Combine(_state, "pki", "etcd", "healthcheck-client." + extension);

    private string Peer(string name) => $"https://127.0.0.1:{_ports[name].Peer}";

    private string ClientUrl(string name) => $"https://127.0.0.1:{_ports[name].Client}";

    private EtcdClient Client(string name) => new(
        new LocalHost(name, _redactor, Serilog.Core.Logger.None),
        new EtcdctlSettings(Etcdctl, CaCert, Credential("crt"), Credential("key"), AsRoot: false),
        ClientUrl(name),
        _redactor);

    private void Start(string name, EtcdInitialCluster initial)
    {
        var pki = Path.Combine(_state, "hosts", name, "pki", "etcd");
        var start = new ProcessStartInfo(Etcd) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] arguments =
        [
            "--name=" + name, "--data-dir=" + _directory.Combine("data-" + name),
            "--listen-client-urls=" + ClientUrl(name), "--advertise-client-urls=" + ClientUrl(name),
            "--listen-peer-urls=" + Peer(name), "--initial-advertise-peer-urls=" + Peer(name),
            "--initial-cluster=" + initial.Members, "--initial-cluster-state=" + (initial.State == EtcdClusterState.New ? "new" : "existing"),
            "--initial-cluster-token=" + initial.Token,
            "--client-cert-auth=true", "--trusted-ca-file=" + CaCert, "--cert-file=" + Path.Combine(pki, "server.crt"), "--key-file=" + Path.Combine(pki, "server.key"),
            "--peer-client-cert-auth=true", "--peer-trusted-ca-file=" + CaCert, "--peer-cert-file=" + Path.Combine(pki, "peer.crt"), "--peer-key-file=" + Path.Combine(pki, "peer.key"),
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _members[name] = process;
    }

    private (int ExitCode, string Output) Ctl(string member, params string[] command)
    {
        var start = new ProcessStartInfo(Etcdctl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "--endpoints=" + ClientUrl(member), "--cacert=" + CaCert, "--cert=" + Credential("crt"), "--key=" + Credential("key") }.Concat(command))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error);
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> attempt)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (await attempt())
            {
                return true;
            }

            await Task.Delay(500);
        }

        return false;
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> attempt, string transient)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (EtcdException e) when (e.Message.Contains(transient, StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(500);
            }
        }
    }
}
