using Bootstrap.Core.Phases.Preflight;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Tests.Cli;
using Bootstrap.Core.Tests.Workflow;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Phases.Preflight;

/// <summary>The preflight phase under the real runner, against in-memory hosts.</summary>
public sealed class PreflightPhaseTests
{
    /// <summary>Wraps a host: every command takes a moment, and the number of hosts busy at once is recorded.</summary>
    private sealed class Counting(IRemoteHost inner, Counter counter) : IRemoteHost
    {
        public string Name => inner.Name;

        public async Task<CommandResult> RunAsync(RemoteCommand command, CancellationToken cancellationToken)
        {
            counter.Enter(Name);
            try
            {
                await Task.Delay(2, cancellationToken);
                return await inner.RunAsync(command, cancellationToken);
            }
            finally
            {
                counter.Leave(Name);
            }
        }

        public Task<UploadResult> UploadAsync(Stream content, FileSpec target, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<byte[]?> DownloadAsync(string path, CancellationToken cancellationToken) => throw new NotSupportedException();


        public Task<bool> DownloadToAsync(string path, Stream destination, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class Counter
    {
        private readonly Dictionary<string, int> _busy = new(StringComparer.Ordinal);

        public int Peak { get; private set; }

        public void Enter(string host)
        {
            lock (_busy)
            {
                _busy[host] = _busy.GetValueOrDefault(host) + 1;
                Peak = Math.Max(Peak, _busy.Count(kv => kv.Value > 0));
            }
        }

        public void Leave(string host)
        {
            lock (_busy)
            {
                _busy[host]--;
            }
        }
    }

    private sealed class Warnings : Serilog.Core.ILogEventSink
    {
        public List<string> Rendered { get; } = [];

        public void Emit(Serilog.Events.LogEvent logEvent)
        {
            if (logEvent.Level == Serilog.Events.LogEventLevel.Warning)
            {
                lock (Rendered)
                {
                    Rendered.Add(logEvent.RenderMessage(System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }
    }

    private static async Task<(WorkflowResult Result, Counter Counter)> RunAsync(
        int concurrency, string? brokenSs = null, IReadOnlyList<string>? ignored = null, Warnings? warnings = null)
    {
        var machines = new FakeMachines();
        var counter = new Counter();
        if (brokenSs is not null)
        {
            machines.NotInstalled[brokenSs] = ["ss"];
        }

        var config = WorkflowFixtures.LabConfig with { SshConcurrency = concurrency };
        var hosts = new Dictionary<string, IRemoteHost>(StringComparer.Ordinal);
        foreach (var host in config.Hosts)
        {
            hosts[host.Name] = new Counting(await machines.ConnectAsync(host, CancellationToken.None), counter);
        }

        var context = new PhaseContext
        {
            Config = config,
            Hosts = hosts,
            Redactor = new SecretRedactor(),
            Logger = warnings is null ? new Serilog.LoggerConfiguration().CreateLogger() : new Serilog.LoggerConfiguration().WriteTo.Sink(warnings).CreateLogger(),
        };
        var options = new PreflightOptions { IgnorePreflightErrors = IgnoredPreflightErrors.Parse(ignored ?? []) };
        var tree = new PhaseTree("init", [new PreflightPhase(options)]);
        var result = await new WorkflowRunner(new RecordingObserver()).RunAsync(tree, WorkflowSelection.All, context, CancellationToken.None);
        return (result, counter);
    }

    [Fact]
    public async Task Probing_other_hosts_for_uniqueness_stays_within_the_configured_concurrency()
    {
        var (result, counter) = await RunAsync(concurrency: 2);

        Assert.True(result.Succeeded, string.Join('\n', result.Phases[0].Hosts.Select(h => h.Error)));
        Assert.InRange(counter.Peak, 1, 2);
    }

    [Fact]
    public async Task With_more_hosts_than_the_concurrency_the_other_hosts_are_probed_as_many_at_once_as_it_allows()
    {
        // Each host's probe waits until the test lets it through: with a concurrency of 2, lb1's and lb2's plans probe
        // their own hosts first; once those answer, the remaining hosts must be probed two at a time, not one after another.
        var machines = new FakeMachines();
        var config = WorkflowFixtures.LabConfig with { SshConcurrency = 2 };
        var gates = config.Hosts.ToDictionary(h => h.Name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), StringComparer.Ordinal);
        var busy = new HashSet<string>(StringComparer.Ordinal);
        var hosts = new Dictionary<string, IRemoteHost>(StringComparer.Ordinal);
        foreach (var host in config.Hosts)
        {
            hosts[host.Name] = new Gated(await machines.ConnectAsync(host, CancellationToken.None), gates[host.Name].Task, busy);
        }

        var context = new PhaseContext { Config = config, Hosts = hosts, Redactor = new SecretRedactor(), Logger = new Serilog.LoggerConfiguration().CreateLogger() };
        var tree = new PhaseTree("init", [new PreflightPhase(new PreflightOptions())]);
        var run = new WorkflowRunner(new RecordingObserver()).RunAsync(tree, WorkflowSelection.All, context, CancellationToken.None);

        Assert.True(await UntilAsync(() => busy.SetEquals(["lb1", "lb2"])), "lb1 and lb2 were not probed first: " + string.Join(", ", Busy()));
        gates["lb1"].SetResult();
        gates["lb2"].SetResult();
        var twoOthers = await UntilAsync(() => busy.Count(h => h is not ("lb1" or "lb2")) == 2);
        var seen = Busy();
        foreach (var gate in gates.Values)
        {
            gate.TrySetResult();
        }

        var result = await run;
        Assert.True(twoOthers, "after lb1 and lb2 answered, the other hosts were not probed two at once; busy: " + string.Join(", ", seen));
        Assert.True(result.Succeeded, string.Join('\n', result.Phases[0].Hosts.Select(h => h.Error)));

        string[] Busy()
        {
            lock (busy)
            {
                return [.. busy.Order(StringComparer.Ordinal)];
            }
        }

        async Task<bool> UntilAsync(Func<bool> condition)
        {
            for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5); DateTime.UtcNow < deadline; await Task.Delay(5))
            {
                lock (busy)
                {
                    if (condition())
                    {
                        return true;
                    }
                }
            }

            return false;
        }
    }

    /// <summary>Wraps a host: every command waits for <paramref name="gate"/>; the hosts with a command in progress are in <paramref name="busy"/>.</summary>
    private sealed class Gated(IRemoteHost inner, Task gate, HashSet<string> busy) : IRemoteHost
    {
        public string Name => inner.Name;

        public async Task<CommandResult> RunAsync(RemoteCommand command, CancellationToken cancellationToken)
        {
            lock (busy)
            {
                busy.Add(Name);
            }

            try
            {
                await gate.WaitAsync(cancellationToken);
                return await inner.RunAsync(command, cancellationToken);
            }
            finally
            {
                lock (busy)
                {
                    busy.Remove(Name);
                }
            }
        }

        public Task<UploadResult> UploadAsync(Stream content, FileSpec target, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<byte[]?> DownloadAsync(string path, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> DownloadToAsync(string path, Stream destination, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_host_whose_checks_cannot_run_is_an_error_naming_it_and_the_others_still_report()
    {
        var (result, _) = await RunAsync(concurrency: 7, brokenSs: "w2");

        var hosts = result.Phases[0].Hosts.ToDictionary(h => h.Host);
        Assert.Equal(HostPhaseStatus.Error, hosts["w2"].Status);
        Assert.StartsWith("w2: ", hosts["w2"].Error, StringComparison.Ordinal);
        Assert.Contains("ss -ltnpH", hosts["w2"].Error, StringComparison.Ordinal);
        Assert.All(hosts.Values.Where(h => h.Host != "w2"), h => Assert.Equal(HostPhaseStatus.Unchanged, h.Status));
    }

    [Fact]
    public async Task Ignored_names_no_check_has_are_warned_of_once_and_the_known_ones_are_not()
    {
        // A misspelt name ignores nothing: said once for the run, not once per host. Port-2379 is a check on the control planes
        // only, and the names are matched in any letter case.
        var warnings = new Warnings();

        var (result, _) = await RunAsync(concurrency: 7, ignored: ["Swapp,port-2379", "NumCPU", "FileContent--proc-sys-net-bridge-bridge-nf-call-iptables"], warnings: warnings);

        Assert.True(result.Succeeded);
        var warning = Assert.Single(warnings.Rendered, w => w.Contains("--ignore-preflight-errors", StringComparison.Ordinal));
        Assert.Contains("no check here is named FileContent--proc-sys-net-bridge-bridge-nf-call-iptables, Swapp, so it ignores nothing", warning, StringComparison.Ordinal);
        Assert.Contains("NumCPU, Port-10250", warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("all")]
    [InlineData("Swap,Port-6443,FileExisting-haproxy")]
    public async Task Known_names_or_all_are_not_warned_of(string ignored)
    {
        var warnings = new Warnings();

        var (result, _) = await RunAsync(concurrency: 7, ignored: [ignored], warnings: warnings);

        Assert.True(result.Succeeded);
        Assert.DoesNotContain(warnings.Rendered, w => w.Contains("--ignore-preflight-errors", StringComparison.Ordinal));
    }
}
