using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.LoadBalancer;
using Bootstrap.Core.Phases.Etcd;
using Bootstrap.Core.Phases.Nodes;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Tests.Phases.Nodes;
using Bootstrap.Core.Workflow;
using k8s.Models;
using Serilog;

namespace Bootstrap.Core.Tests.Workflow;

/// <summary>
/// What host-end and phase-end events say a target and a phase spent waiting for components, measured by real
/// phases on a <see cref="SteppingClock"/>: only fake hosts' answers and the waits' own delays take time, so the
/// figures are exact.
/// </summary>
public sealed class WorkflowWaitTests
{
    private static readonly TimeSpan HealthProbe = TimeSpan.FromMilliseconds(500);

    private readonly SteppingClock _clock = new();
    private readonly RecordingObserver _observer = new();

    [Fact]
    public async Task Each_etcd_member_reports_its_wait_for_health_probes_included_and_the_phase_the_time_any_member_waited()
    {
        // One host at a time: the phase's waits follow each other, so the phase waited their sum.
        var config = WorkflowFixtures.LabConfig with { SshConcurrency = 1 };
        var failures = new Dictionary<string, int>(StringComparer.Ordinal) { ["cp1"] = 0, ["cp2"] = 2, ["cp3"] = 1 };
        var context = WorkflowFixtures.Context(host => new FakeHost(host, Etcd(failures.GetValueOrDefault(host))), config: config, time: _clock);

        var result = await RunAsync(new EtcdHealthPhase(), context);

        Assert.True(result.Succeeded);
        // Healthy at the first probe: 0.5 s. After two failures: 3 probes and 2 pauses of 1 s = 3.5 s. After one: 2 s.
        Assert.Equal(500, HostWaitMs("cp1"));
        Assert.Equal(3500, HostWaitMs("cp2"));
        Assert.Equal(2000, HostWaitMs("cp3"));
        var end = PhaseEnd();
        Assert.Equal(TimeSpan.FromSeconds(6), end.Waited);
        Assert.Equal(TimeSpan.FromSeconds(6), end.Duration);
    }

    [Fact]
    public async Task A_wait_that_gives_up_counts_until_its_deadline_and_reading_the_journal_afterwards_is_not_waiting()
    {
        var config = WorkflowFixtures.LabConfig with { SshConcurrency = 1 };
        var context = WorkflowFixtures.Context(host => new FakeHost(host, Etcd(host == "cp3" ? int.MaxValue : 0)), config: config, time: _clock);

        var result = await RunAsync(new EtcdHealthPhase(), context);

        Assert.False(result.Succeeded);
        Assert.Contains("etcd is not healthy after 120 s", Assert.Single(result.Phases).Hosts.Single(h => h.Host == "cp3").Error, StringComparison.Ordinal);
        // etcd's HealthTimeout is 2 minutes: 80 rounds of a 0.5 s probe and a 1 s pause, then 1 s to read the journal.
        Assert.Equal(120_000, HostWaitMs("cp3"));
        var end = PhaseEnd();
        Assert.Equal(TimeSpan.FromSeconds(0.5 + 0.5 + 120), end.Waited);
        Assert.Equal(TimeSpan.FromSeconds(0.5 + 0.5 + 120 + 1), end.Duration);
    }

    [Fact]
    public async Task A_restart_waits_for_the_new_process_to_be_healthy_and_holds_and_the_restart_itself_is_our_work()
    {
        var probes = 0;

        var result = await RestartDemoOnCp1Async(rejoin: null, healthy: () => ++probes >= 3, others: _ => null);

        Assert.True(result.Succeeded);
        // Restart 1 s (ours); health: 3 probes of 0.5 s with 2 pauses of 2 s = 5.5 s; hold 5 s.
        var host = _observer.Events.Single(e => e.Kind == WorkflowEventKind.HostFinished && e.Host == "cp1");
        Assert.Equal(TimeSpan.FromSeconds(10.5), host.Waited);
        Assert.Equal(TimeSpan.FromSeconds(11.5), host.Duration);
        Assert.Equal(0, HostWaitMs("cp2"));
        Assert.Equal(TimeSpan.FromSeconds(10.5), PhaseEnd().Waited);
    }

    [Theory]
    [InlineData(true, 0.5)]
    [InlineData(false, 5)]
    public async Task A_hold_ends_once_every_load_balancer_reports_the_server_up_and_lasts_its_bound_when_one_cannot_tell(bool statistics, double held)
    {
        // lb1 has taken cp1 back already; lb2 passes its first check at its second read and takes it back at its third.
        var lb2Reads = 0;
        FakeHost? LoadBalancer(string name) => name is not ("lb1" or "lb2") ? null : new(name, command => command.Argv switch
        {
            ["curl", .., var url] when url == LoadBalancerFiles.ServersUrl => statistics
                ? Ok(Servers(name == "lb1" ? "UP" : ++lb2Reads switch { 1 => "DOWN", 2 => "DOWN 1/2", _ => "UP" }))
                : new CommandResult(22, string.Empty, "curl: (22) The requested URL returned error: 503"),
            _ => new CommandResult(127, string.Empty, "not faked: " + command.ToShellString()),
        });

        var result = await RestartDemoOnCp1Async(new LoadBalancerRejoin(["lb1", "lb2"], "cp1"), healthy: () => true, others: LoadBalancer);

        Assert.True(result.Succeeded);
        // Restart 1 s (ours); health: one probe of 0.5 s; then the hold: two pauses of 0.25 s until lb2 reports UP, or the whole 5 s.
        var host = _observer.Events.Single(e => e.Kind == WorkflowEventKind.HostFinished && e.Host == "cp1");
        Assert.Equal(TimeSpan.FromSeconds(0.5 + held), host.Waited);
        Assert.Equal(TimeSpan.FromSeconds(1 + 0.5 + held), host.Duration);

        static string Servers(string cp1State) =>
            "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act\n"
            + "kube-apiserver,FRONTEND,,,0,0,9990,0,0,0,0,0,0,,,,,OPEN,,\n"
            + $"kube-apiserver,cp1,0,0,0,0,,0,0,0,,0,,0,0,0,0,{cp1State},1,1\n"
            + "kube-apiserver,cp2,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,1,1\n"
            + "kube-apiserver,BACKEND,0,0,0,0,999,0,0,0,0,0,,0,0,0,0,UP,2,2\n";
    }

    [Fact]
    public async Task Waiting_while_planning_counts_for_the_target_planned_here_the_cluster_waiting_for_a_new_nodes_serving_request()
    {
        var api = new FakeClusterReader();
        var listings = 0;
        api.Requests = () =>
        {
            _clock.Advance(TimeSpan.FromMilliseconds(200));
            return ++listings < 3 ? [] : [ServingRequest("w1")];
        };
        var context = new PhaseContext
        {
            Config = WorkflowFixtures.LabConfig,
            Hosts = new Dictionary<string, IRemoteHost>(StringComparer.Ordinal),
            Redactor = new SecretRedactor(),
            Logger = new LoggerConfiguration().CreateLogger(),
            Api = new ApiSource(api),
            Time = _clock,
        };
        context.Joined.Add("w1", "abcdef");

        var result = await RunAsync(new ServingCsrPhase(), context);

        Assert.True(result.Succeeded);
        // 3 listings of 0.2 s with 2 pauses of the API's polling interval between them.
        var waited = (3 * TimeSpan.FromMilliseconds(200)) + (2 * ApiPolling.Interval);
        Assert.Equal(waited.TotalMilliseconds, HostWaitMs(PhaseTarget.ClusterName));
        Assert.Equal(waited, PhaseEnd().Waited);
    }

    private async Task<WorkflowResult> RunAsync(ILeafPhase phase, PhaseContext context) =>
        await new WorkflowRunner(_observer).RunAsync(new PhaseTree("test", [phase]), WorkflowSelection.All, context, CancellationToken.None);

    private double HostWaitMs(string host) =>
        _observer.Events.Single(e => e.Kind == WorkflowEventKind.HostFinished && e.Host == host).Waited!.Value.TotalMilliseconds;

    private WorkflowEvent PhaseEnd() => _observer.Events.Single(e => e.Kind == WorkflowEventKind.PhaseFinished);

    /// <summary>etcd on a host: its health probe takes 0.5 s and fails <paramref name="failures"/> times; reading its journal takes 1 s.</summary>
    private Func<RemoteCommand, CommandResult> Etcd(int failures)
    {
        var probes = 0;
        return command => command.Argv switch
        {
            [var etcdctl, ..] when etcdctl.EndsWith("/etcdctl", StringComparison.Ordinal) => Take(HealthProbe, () => ++probes > failures),
            ["systemctl", "show", ..] => Ok("ActiveState=active\nActiveEnterTimestamp=@100\nUnitFileState=enabled\nNeedDaemonReload=no\nInvocationID=a\nNRestarts=0\n"),
            ["journalctl", ..] => Take(TimeSpan.FromSeconds(1), () => true),
            _ => new CommandResult(127, string.Empty, "not faked: " + command.ToShellString()),
        };
    }

    /// <summary>A command that takes <paramref name="time"/> on the clock and succeeds when <paramref name="succeeds"/> says so.</summary>
    /// <summary>
    /// Runs a phase that restarts demo.service on cp1 (its input changed after it started): the restart takes 1 s, each
    /// health probe 0.5 s and answers <paramref name="healthy"/>; the hold is 5 s at most. <paramref name="others"/> gives
    /// the other hosts their fakes (null: one that answers nothing).
    /// </summary>
    private async Task<WorkflowResult> RestartDemoOnCp1Async(LoadBalancerRejoin? rejoin, Func<bool> healthy, Func<string, FakeHost?> others)
    {
        var spec = new ServiceSpec
        {
            Unit = "demo.service",
            Component = "demo",
            Inputs = ["/etc/demo.conf"],
            Health = RemoteCommand.Of("check-demo"),
            HealthTimeout = TimeSpan.FromMinutes(1),
            PollInterval = TimeSpan.FromSeconds(2),
            HoldAfterRestart = TimeSpan.FromSeconds(5),
            Rejoin = rejoin,
        };
        var restarted = false;
        var cp1 = new FakeHost("cp1", command => command.Argv switch
        {
            ["systemctl", "show", ..] => Ok($"ActiveState=active\nActiveEnterTimestamp=@100\nUnitFileState=enabled\nNeedDaemonReload=no\nInvocationID={(restarted ? "new" : "old")}\nNRestarts=0\n"),
            ["stat", ..] => Ok("200 /etc/demo.conf\n"),
            ["systemctl", "restart", ..] => Take(TimeSpan.FromSeconds(1), () => restarted = true),
            ["check-demo"] => Take(HealthProbe, healthy),
            _ => new CommandResult(127, string.Empty, "not faked: " + command.ToShellString()),
        });
        var context = WorkflowFixtures.Context(host => host == "cp1" ? cp1 : others(host) ?? new FakeHost(host), time: _clock);
        var phase = new TestPhase("demo", async (host, ct) =>
        {
            if (host != "cp1")
            {
                return TargetPlan.Nothing();
            }

            var changes = await ServiceControl.PlanAsync(context.View(host), [spec], [], waitAfterStart: true, ct);
            return new TargetPlan { Changes = changes, Rolling = ServiceControl.Restarts(changes) };
        }, HostRole.ControlPlane);
        return await RunAsync(phase, context);
    }

    private CommandResult Take(TimeSpan time, Func<bool> succeeds)
    {
        _clock.Advance(time);
        return succeeds() ? Ok(string.Empty) : new CommandResult(1, string.Empty, "not yet");
    }

    private static CommandResult Ok(string stdout) => new(0, stdout, string.Empty);

    private static V1CertificateSigningRequest ServingRequest(string node) => new()
    {
        Metadata = new V1ObjectMeta { Name = "csr-serving-" + node },
        Spec = new V1CertificateSigningRequestSpec { SignerName = KubeletServingCsrPolicy.SignerName, Username = "system:node:" + node, Request = [] },
    };
}
