using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Tests.Remote;
using Bootstrap.Core.Workflow;
using Serilog;

namespace Bootstrap.Core.Tests.Workflow;

/// <summary>Commands that travel in a host's snapshot session (<see cref="ISnapshotRider"/>), against this machine's shell.</summary>
public sealed class SnapshotRiderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bootstrap-rider-").FullName;
    private readonly SecretRedactor _redactor = new();
    private readonly ILogger _logger = new LoggerConfiguration().CreateLogger();
    private readonly RecordingHost _w1;

    public SnapshotRiderTests()
    {
        _w1 = new RecordingHost(new LocalHost("w1", _redactor, _logger));
        Directory.CreateDirectory(State);
    }

    private string State => Path.Combine(_root, "state");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_riders_commands_go_around_the_recorded_reads_in_the_one_session_and_the_rider_gets_its_outcome()
    {
        var file = Path.Combine(_root, "config");
        await File.WriteAllTextAsync(file, "recorded\n");
        var read = new RemoteCommand(["cat", "--", file]);
        var seen = new List<string>();
        async Task<TargetPlan> Plan(PhaseContext context, string host, CancellationToken ct)
        {
            if (host == "w1")
            {
                seen.Add((await context.View(host).QueryAsync(read, ct)).Stdout);
            }

            return TargetPlan.Nothing();
        }

        await RunAsync(rider: null, Plan, save: true);
        _w1.Clear();
        var rider = new EchoRider("w1");
        await RunAsync(rider, Plan, save: false);

        Assert.Equal(["recorded\n", "recorded\n"], seen);
        // One session: the rider's first command, the recorded read, the rider's last; the read was taken from it.
        var session = Assert.Single(_w1.Commands);
        Assert.True(CommandBatch.IsBatch(session));
        var (first, path, last) = (session.Argv.ToList().IndexOf("rider-first"), session.Argv.ToList().IndexOf(file), session.Argv.ToList().IndexOf("rider-last"));
        Assert.True(first >= 0 && first < path && path < last, string.Join(' ', session.Argv.Skip(4)));
        var arrival = Assert.Single(rider.Arrivals);
        Assert.Equal("w1", arrival.Host);
        Assert.NotNull(arrival.Run);
        Assert.Equal("rider-first\n", arrival.Run[rider.First!].Stdout);
        Assert.Equal("rider-last\n", arrival.Run[rider.Last!].Stdout);
        Assert.True(arrival.Sent <= arrival.Received);
    }

    [Fact]
    public async Task Without_a_record_a_rider_still_gets_a_session_and_no_plan_waits_for_it()
    {
        var rider = new EchoRider("w1", slow: true);
        var hosts = Hosts();
        await using var reads = ReadAhead.Load(State, _redactor, _logger);
        reads.Carry(rider);
        reads.Start(hosts);

        // The session runs (the rider sleeps in it), and a plan made ahead does not wait for it: it holds nothing of the record.
        Assert.True(reads.SettledAsync("w1", CancellationToken.None).IsCompleted);
        var arrival = await rider.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(arrival.Run);
        Assert.True(arrival.Run.Started);
        Assert.Single(_w1.Commands);
        // Hosts it does not board get no session: nothing of the record reads them either.
        Assert.Single(rider.Arrivals);
    }

    [Fact]
    public async Task A_session_that_fails_still_tells_the_rider_without_a_run_once()
    {
        var rider = new EchoRider("w1");
        var hosts = Hosts();
        hosts["w1"] = new FailingHost("w1");
        await using (var reads = ReadAhead.Load(State, _redactor, _logger))
        {
            reads.Carry(rider);
            reads.Start(hosts);
            var arrival = await rider.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Null(arrival.Run);
        }

        Assert.Single(rider.Arrivals);
    }

    [Fact]
    public void A_run_carries_one_rider()
    {
        var reads = ReadAhead.Load(State, _redactor, _logger);
        reads.Carry(new EchoRider("w1"));
        Assert.Throws<InvalidOperationException>(() => reads.Carry(new EchoRider("w1")));
    }

    private Dictionary<string, IRemoteHost> Hosts() =>
        WorkflowFixtures.LabConfig.Hosts.ToDictionary(h => h.Name, h => h.Name == "w1" ? (IRemoteHost)_w1 : new FakeHost(h.Name), StringComparer.Ordinal);

    private async Task RunAsync(ISnapshotRider? rider, Func<PhaseContext, string, CancellationToken, Task<TargetPlan>> plan, bool save)
    {
        var config = WorkflowFixtures.LabConfig;
        var hosts = Hosts();
        await using var reads = ReadAhead.Load(State, _redactor, _logger);
        if (rider is not null)
        {
            reads.Carry(rider);
        }

        reads.Start(hosts);
        var context = new PhaseContext { Config = config, Hosts = hosts, Redactor = _redactor, Logger = _logger, Reads = reads };
        var result = await new WorkflowRunner(new RecordingObserver()).RunAsync(new PhaseTree("init", [new PlanPhase(plan)]), WorkflowSelection.All, context, CancellationToken.None);
        Assert.True(result.Succeeded, string.Join("; ", result.Phases.SelectMany(p => p.Hosts).Select(h => h.Error)));
        if (save)
        {
            reads.Save(State, [.. config.Hosts.Select(h => h.Name)]);
        }
    }

    /// <summary>A phase on the workers whose plan is a delegate given its context.</summary>
    private sealed class PlanPhase(Func<PhaseContext, string, CancellationToken, Task<TargetPlan>> plan) : ILeafPhase
    {
        public string Name => "reads";

        public string Description => "test phase";

        public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config) => PhaseTarget.Of(config.Hosts.Where(h => h.HasRole(HostRole.Worker)));

        public Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken) => plan(context, target.Name, cancellationToken);
    }

    /// <summary>Boards <paramref name="host"/> only: echoes a word before the snapshot's reads and one after (after a sleep when slow).</summary>
    private sealed class EchoRider(string host, bool slow = false) : ISnapshotRider
    {
        public string Name => "a test rider";

        public BatchedCommand? First { get; private set; }

        public BatchedCommand? Last { get; private set; }

        public List<(string Host, CommandBatchRun? Run, DateTimeOffset Sent, DateTimeOffset Received)> Arrivals { get; } = [];

        public TaskCompletionSource<(string Host, CommandBatchRun? Run, DateTimeOffset Sent, DateTimeOffset Received)> Arrived { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Boards(string name) => name == host;

        public void Add(string name, CommandBatch batch, Action reads)
        {
            First = batch.Add("echo", "rider-first");
            reads();
            if (slow)
            {
                batch.Add("sleep", "1");
            }

            Last = batch.Add("echo", "rider-last");
        }

        void ISnapshotRider.Arrived(string name, CommandBatchRun? run, DateTimeOffset sent, DateTimeOffset received)
        {
            lock (Arrivals)
            {
                Arrivals.Add((name, run, sent, received));
            }

            Arrived.TrySetResult((name, run, sent, received));
        }
    }

    /// <summary>A host whose every command fails as a broken connection does.</summary>
    private sealed class FailingHost(string name) : IRemoteHost
    {
        public string Name => name;

        public Task<CommandResult> RunAsync(RemoteCommand command, CancellationToken cancellationToken) => throw new IOException($"{name}: the connection broke");

        public Task<UploadResult> UploadAsync(Stream content, FileSpec target, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<byte[]?> DownloadAsync(string path, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> DownloadToAsync(string path, Stream destination, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
