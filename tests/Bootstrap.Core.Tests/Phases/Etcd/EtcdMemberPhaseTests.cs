using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Etcd;
using Bootstrap.Core.Install;
using Bootstrap.Core.Phases.ControlPlane;
using Bootstrap.Core.Phases.Etcd;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Tests.Phases.Nodes;
using Bootstrap.Core.Tests.Workflow;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Phases.Etcd;

/// <summary>
/// <c>etcd/member</c>'s order of turns in a roll (the member etcd names its leader goes last), and the API server its restart
/// stops: started on the files control-plane/apiserver would give it, when that phase runs too.
/// </summary>
public sealed class EtcdMemberPhaseTests(EtcdMemberPhaseTests.Material material) : IClassFixture<EtcdMemberPhaseTests.Material>
{
    private static readonly ClusterConfig Lab = LabCluster.Load();
    private static readonly string ApiServerUnitFile = InstallFiles.UnitPath("kube-apiserver");

    [Fact]
    public async Task A_restart_that_stops_the_api_server_writes_its_files_first_when_its_phase_runs_later()
    {
        var (plan, apiServer) = await PlanCp1Async(etcd: "active", new EtcdMemberPhase(), new ApiServerPhase());

        var restart = plan.Changes.ToList().FindIndex(c => c.Kind == ChangeKind.UnitRestart && c.Target == "etcd.service");
        var unit = plan.Changes.ToList().FindIndex(c => c.Target == ApiServerUnitFile);
        Assert.True(restart > 0 && unit >= 0 && unit < restart, string.Join('\n', plan.Changes.Select(c => c.Describe(dryRun: true))));
        Assert.Contains(plan.Changes, c => c.Target == $"{KubeadmLayout.BinDir}/kube-apiserver");
        Assert.Contains(plan.Changes, c => c.Target == KubeadmLayout.ApiServerCert);
        var reload = plan.Changes.ToList().FindIndex(c => c.Kind == ChangeKind.DaemonReload);
        Assert.True(unit < reload && reload < restart, "systemd reloads the API server's new unit after it is written and before etcd restarts");
        Assert.Contains(plan.Notes, n => n.StartsWith("kube-apiserver stops while etcd restarts: its changed files are written in this turn", StringComparison.Ordinal));
        Assert.True(plan.Rolling);

        Assert.Equal(plan.Changes.Count, plan.Changes.Select(c => c.Target).Distinct().Count());

        // The API server's own phase, planned after it in the same dry run, finds its files written and nothing to restart.
        Assert.Empty(apiServer!.Changes.Select(c => c.Describe(dryRun: true)));
    }

    [Fact]
    public async Task Without_the_api_servers_phase_in_the_run_its_files_are_left_to_it()
    {
        var (plan, _) = await PlanCp1Async(etcd: "active", new EtcdMemberPhase());

        Assert.Contains(plan.Changes, c => c.Kind == ChangeKind.UnitRestart && c.Target == "etcd.service");
        Assert.DoesNotContain(plan.Changes, c => c.Target == ApiServerUnitFile || c.Target.Contains("kube-apiserver", StringComparison.Ordinal) && c.Kind != ChangeKind.UnitRestart);
        Assert.DoesNotContain(plan.Notes, n => n.StartsWith("kube-apiserver stops", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_member_that_only_starts_stops_nothing_and_writes_none_of_the_api_servers_files()
    {
        var (plan, _) = await PlanCp1Async(etcd: "inactive", new EtcdMemberPhase(), new ApiServerPhase());

        Assert.Contains(plan.Changes, c => c.Kind == ChangeKind.UnitStart && c.Target == "etcd.service");
        Assert.DoesNotContain(plan.Changes, c => c.Target == ApiServerUnitFile);
    }

    /// <summary>
    /// cp1's plans in a dry run of <paramref name="leaves"/>: none of its files there yet (so etcd's all change), etcd <paramref name="etcd"/>,
    /// its API server running; the API server phase's plan after etcd/member's when it is among them.
    /// </summary>
    private async Task<(TargetPlan Member, TargetPlan? ApiServer)> PlanCp1Async(string etcd, params ILeafPhase[] leaves)
    {
        var members = new FakeEtcd { Leader = 2 };
        foreach (var (host, index) in Lab.EtcdMembers.Select((h, i) => (h, i)))
        {
            members.Members.Add((host.Name, (ulong)index + 1, host.Address.ToString(), false, true));
            members.Data[host.Name] = true;
            members.Healthy.Add(host.Name);
        }

        var cp1 = new FakeNode("cp1");
        cp1.Units["etcd.service"] = (etcd, "enabled");
        cp1.Units["kube-apiserver.service"] = ("active", "enabled");
        var node = cp1.Host();
        var config = material.Config;
        await using var context = WorkflowFixtures.Context(
            name => name == "cp1" ? new FakeHost(name, command => Either(node, members.Host(name), command)) : members.Host(name), config: config, dryRun: true);
        context.Material.Produce(material.Installed);
        context.Leaves = leaves;

        var target = PhaseTarget.Of(config.Host("cp1"));
        var member = await leaves.OfType<EtcdMemberPhase>().Single().PlanAsync(context, target, CancellationToken.None);
        return (member, leaves.OfType<ApiServerPhase>().SingleOrDefault() is { } apiServer ? await apiServer.PlanAsync(context, target, CancellationToken.None) : null);
    }

    /// <summary>The node's answer to a file or unit read, else etcd's.</summary>
    private static CommandResult Either(IRemoteHost node, IRemoteHost etcd, RemoteCommand command)
    {
        var answer = node.RunAsync(command, CancellationToken.None).Result;
        return answer.ExitCode == 127 && answer.Stderr.StartsWith("not faked", StringComparison.Ordinal) ? etcd.RunAsync(command, CancellationToken.None).Result : answer;
    }

    [Theory]
    [InlineData(1UL, "cp1")]
    [InlineData(2UL, "cp2")]
    [InlineData(3UL, "cp3")]
    public void Only_the_host_of_the_leading_member_leads(ulong leader, string leaderHost)
    {
        var observation = Observation(leader);

        Assert.Equal([leaderHost], Lab.EtcdMembers.Where(h => EtcdMemberPhase.LeadsNow(observation, h)).Select(h => h.Name));
    }

    [Fact]
    public void Without_a_known_leader_or_a_reading_of_etcd_no_host_leads()
    {
        Assert.DoesNotContain(Lab.EtcdMembers, h => EtcdMemberPhase.LeadsNow(Observation(0), h));
        Assert.DoesNotContain(Lab.EtcdMembers, h => EtcdMemberPhase.LeadsNow(new EtcdObservation { Hosts = [] }, h));
    }

    [Fact]
    public void A_leader_on_a_host_outside_the_file_makes_no_file_host_lead()
    {
        var members = Members().Append(new EtcdMember(9, "old", ["https://192.168.56.99:2380"], ["https://192.168.56.99:2379"], false)).ToList();
        var observation = new EtcdObservation { Hosts = [], Cluster = new EtcdClusterView(members, members.Select(m => m.Id).ToHashSet(), 9) };

        Assert.DoesNotContain(Lab.EtcdMembers, h => EtcdMemberPhase.LeadsNow(observation, h));
    }

    private static EtcdObservation Observation(ulong leader)
    {
        var members = Members();
        return new EtcdObservation { Hosts = [], Cluster = new EtcdClusterView(members, members.Select(m => m.Id).ToHashSet(), leader) };
    }

    private static List<EtcdMember> Members() =>
    [
        .. Lab.EtcdMembers.Select((h, i) => new EtcdMember((ulong)i + 1, h.Name, [EtcdClient.PeerUrl(h)], [$"https://{h.Address}:2379"], false)),
    ];

    /// <summary>A state directory with a real PKI (ECDSA keys, for speed), and the material loaded from it.</summary>
    public sealed class Material : IAsyncLifetime
    {
        private static readonly HttpClient Http = new();
        private readonly string _state = Directory.CreateTempSubdirectory("bootstrap-etcd-member-").FullName;

        public ClusterConfig Config { get; private set; } = null!;

        internal InstallMaterial Installed { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Config = Lab with { StateDirectory = _state, Certificates = Lab.Certificates with { KeyAlgorithm = KeyAlgorithm.EcdsaP256 } };
            await (await StatePlan.CreateAsync(Config, TimeProvider.System, CancellationToken.None)).CommitAsync(CancellationToken.None);
            Installed = await InstallMaterial.LoadAsync(Config, new SecretRedactor(), Http, CancellationToken.None);
        }

        public Task DisposeAsync()
        {
            Directory.Delete(_state, recursive: true);
            return Task.CompletedTask;
        }
    }
}
