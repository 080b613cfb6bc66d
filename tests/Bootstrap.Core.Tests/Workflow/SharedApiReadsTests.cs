using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Tests.Phases.Nodes;
using Bootstrap.Core.Workflow;
using k8s.Models;
using Serilog;

namespace Bootstrap.Core.Tests.Workflow;

/// <summary>
/// A run's plans read each API object once (<see cref="SharedApiReads"/>, <see cref="SharedClusterReader"/>): across phases and
/// targets, while the run has changed nothing, once per plan (a poll reads again), never a failed or old read, never outside a plan.
/// </summary>
public sealed class SharedApiReadsTests
{
    private readonly SteppingClock _clock = new();
    private readonly ReadAhead _reads;
    private int _calls;

    public SharedApiReadsTests() =>
        _reads = new ReadAhead(new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<ReadKey>>>(), new SecretRedactor(), new LoggerConfiguration().CreateLogger(), _clock);

    [Fact]
    public async Task The_plans_of_several_phases_and_targets_take_one_read_from_the_api()
    {
        var results = await Task.WhenAll(
            InPlan("pod-network", "cp1", () => Read("nodes")),
            InPlan("pod-network", "w1", () => Read("nodes")),
            InPlan("node-eviction", "cp1", () => Read("nodes")));

        Assert.Equal(1, _calls);
        Assert.All(results, r => Assert.Equal("nodes #1", r));
        Assert.Equal((2, 1), (_reads.Api.Shared, _reads.Api.Live));
    }

    [Fact]
    public async Task Reads_made_at_the_same_moment_wait_for_the_one_under_way()
    {
        var answer = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<string> Slow() => _reads.Api.ReadAsync("nodes", () => { Interlocked.Increment(ref _calls); return answer.Task; }, CancellationToken.None);

        var first = InPlan("a", "cluster", Slow);
        var secondStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = InPlan("b", "cluster", () =>
        {
            secondStarted.SetResult();
            return Slow();
        });
        await secondStarted.Task;
        await Task.Delay(50);
        Assert.False(second.IsCompleted);
        answer.SetResult("listed");

        Assert.Equal(["listed", "listed"], await Task.WhenAll(first, second));
        Assert.Equal(1, _calls);
    }

    [Fact]
    public async Task A_plan_that_reads_again_reads_the_api()
    {
        var polls = await InPlan("kube-proxy", "w1", async () => new[] { await Read("token"), await Read("token"), await Read("token") });

        Assert.Equal(["token #1", "token #2", "token #3"], polls);
    }

    [Fact]
    public async Task After_the_first_change_and_outside_a_plan_every_read_goes_to_the_api()
    {
        await InPlan("a", "cluster", () => Read("nodes"));
        var outside = await Read("nodes");
        _reads.Drop("a test");
        var after = await InPlan("b", "cluster", () => Read("nodes"));

        Assert.Equal(("nodes #2", "nodes #3"), (outside, after));
    }

    [Fact]
    public async Task A_read_older_than_the_limit_is_read_again_and_that_read_serves_the_plans_after_it()
    {
        await InPlan("a", "cluster", () => Read("nodes"));
        _clock.Advance(SharedApiReads.MaxAge + TimeSpan.FromSeconds(1));
        var late = await InPlan("b", "cluster", () => Read("nodes"));
        var later = await InPlan("c", "cluster", () => Read("nodes"));

        Assert.Equal(("nodes #2", "nodes #2"), (late, later));
    }

    [Fact]
    public async Task A_failed_read_fails_its_own_plan_and_the_next_plan_reads_the_api()
    {
        var error = await Assert.ThrowsAsync<HttpRequestException>(() =>
            InPlan("a", "cluster", () => _reads.Api.ReadAsync<string>("nodes", () => throw new HttpRequestException("refused"), CancellationToken.None)));
        var next = await InPlan("b", "cluster", () => Read("nodes"));

        Assert.Equal("refused", error.Message);
        Assert.Equal("nodes #1", next);
    }

    [Fact]
    public async Task The_cluster_reader_shares_object_reads_and_always_asks_the_api_for_csrs_and_comparisons()
    {
        var api = new CountingReader(FakeClusterReader.Node("w1", "10.244.1.0/24", "192.168.56.31"));
        var reader = new SharedClusterReader(api, _reads.Api);

        await Task.WhenAll(new[] { "a", "b", "c" }.Select(phase => InPlan(phase, "cluster", async () =>
        {
            await reader.NodesAsync(CancellationToken.None);
            await reader.NodeAsync("w1", CancellationToken.None);
            await reader.CertificateSigningRequestsAsync(CancellationToken.None);
            return await reader.DiffAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "x", NamespaceProperty = "kube-system" } }, CancellationToken.None);
        })));

        Assert.Equal(["csrs", "csrs", "csrs", "diff", "diff", "diff", "node w1", "nodes"], api.Calls.Order(StringComparer.Ordinal));
    }

    private Task<string> Read(string key) =>
        _reads.Api.ReadAsync(key, () => Task.FromResult($"{key} #{Interlocked.Increment(ref _calls)}"), CancellationToken.None);

    private Task<T> InPlan<T>(string phase, string target, Func<Task<T>> body) => Task.Run(async () =>
    {
        _reads.BeginPlanning(phase, target);
        try
        {
            return await body();
        }
        finally
        {
            _reads.EndPlanning();
        }
    });

    private sealed class CountingReader(params V1Node[] nodes) : IClusterReader
    {
        private readonly FakeClusterReader _inner = new(nodes);

        public List<string> Calls { get; } = [];

        public Task<bool> AnswersAsync(TimeSpan timeout, CancellationToken cancellationToken) => Count("answers", () => _inner.AnswersAsync(timeout, cancellationToken));

        public Task<ChangeKind?> DiffAsync(k8s.IKubernetesObject<V1ObjectMeta> wanted, CancellationToken cancellationToken) => Count("diff", () => _inner.DiffAsync(wanted, cancellationToken));

        public Task<V1ConfigMap?> ConfigMapAsync(string name, string ns, CancellationToken cancellationToken) => Count("configmap", () => _inner.ConfigMapAsync(name, ns, cancellationToken));

        public Task<V1Node?> NodeAsync(string name, CancellationToken cancellationToken) => Count("node " + name, () => _inner.NodeAsync(name, cancellationToken));

        public Task<IReadOnlyList<V1Pod>> PodsOnNodeAsync(string node, CancellationToken cancellationToken) => Count("pods", () => _inner.PodsOnNodeAsync(node, cancellationToken));

        public Task<IReadOnlyList<V1Node>> NodesAsync(CancellationToken cancellationToken) => Count("nodes", () => _inner.NodesAsync(cancellationToken));

        public Task<V1Lease?> LeaseAsync(string name, string ns, CancellationToken cancellationToken) => Count("lease", () => _inner.LeaseAsync(name, ns, cancellationToken));

        public Task<V1Deployment?> DeploymentAsync(string name, string ns, CancellationToken cancellationToken) => Count("deployment", () => _inner.DeploymentAsync(name, ns, cancellationToken));

        public Task<string?> ServiceAccountTokenAsync(string name, string ns, CancellationToken cancellationToken) => Count("token", () => _inner.ServiceAccountTokenAsync(name, ns, cancellationToken));

        public Task<IReadOnlyList<V1CertificateSigningRequest>> CertificateSigningRequestsAsync(CancellationToken cancellationToken) =>
            Count("csrs", () => _inner.CertificateSigningRequestsAsync(cancellationToken));

        private Task<T> Count<T>(string call, Func<Task<T>> inner)
        {
            lock (Calls)
            {
                Calls.Add(call);
            }

            return inner();
        }
    }
}
