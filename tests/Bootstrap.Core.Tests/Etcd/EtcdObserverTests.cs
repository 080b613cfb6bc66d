using Bootstrap.Core.Etcd;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Tests.Workflow;

namespace Bootstrap.Core.Tests.Etcd;

/// <summary>How the cluster is read through one member: etcdctl's answers (captured from a real etcd) behind a scripted host.</summary>
public sealed class EtcdObserverTests
{
    [Fact]
    public async Task The_members_health_and_status_are_asked_together_once_the_member_list_is_read()
    {
        // The health check answers only once the status was asked: read one after the other, it would wait in vain.
        var host = new AnsweringHost();
        var cp1 = WorkflowFixtures.LabConfig.Hosts.First(h => h.Name == "cp1");

        var (cluster, health, status) = await EtcdObserver.ReadClusterAsync(EtcdClient.OnMember(host, cp1, new SecretRedactor()), CancellationToken.None);

        Assert.Equal("member list", host.Asked[0]);
        Assert.Equal(["endpoint health", "endpoint status"], host.Asked.Skip(1).Order(StringComparer.Ordinal));
        Assert.Equal(3, cluster.Members.Count);
        Assert.Equal(3, cluster.Healthy.Count);
        Assert.All(health, h => Assert.True(h.Healthy, h.Error));
        Assert.Equal(3, status.Count);
        Assert.NotEqual(0UL, cluster.Leader);
    }

    [Fact]
    public async Task A_status_that_cannot_be_read_fails_the_read_after_the_health_check_ended()
    {
        var host = new AnsweringHost { StatusFails = true };
        var cp1 = WorkflowFixtures.LabConfig.Hosts.First(h => h.Name == "cp1");

        var error = await Assert.ThrowsAsync<EtcdException>(() => EtcdObserver.ReadClusterAsync(EtcdClient.OnMember(host, cp1, new SecretRedactor()), CancellationToken.None));

        Assert.Contains("endpoint status", error.Message, StringComparison.Ordinal);
        Assert.True(host.HealthEnded.Task.IsCompleted, "the health check was left running");
    }

    /// <summary>Answers etcdctl's member list, endpoint health and endpoint status with the captured samples.</summary>
    private sealed class AnsweringHost : ICommandRunner
    {
        private readonly TaskCompletionSource _statusAsked = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "cp1";

        public bool StatusFails { get; init; }

        public List<string> Asked { get; } = [];

        public TaskCompletionSource HealthEnded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<CommandResult> RunAsync(RemoteCommand command, CancellationToken cancellationToken)
        {
            var asked = string.Join(' ', command.Argv.SkipWhile(a => a.StartsWith("--", StringComparison.Ordinal) || a.Contains("etcdctl", StringComparison.Ordinal) || a == "sudo")
                .Where(a => !a.StartsWith("-", StringComparison.Ordinal) && a != "json"));
            lock (Asked)
            {
                Asked.Add(asked);
            }

            switch (asked)
            {
                case "member list":
                    return new CommandResult(0, EtcdSamples.Text("member-list.json"), string.Empty);
                case "endpoint health":
                    await _statusAsked.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
                    HealthEnded.TrySetResult();
                    return new CommandResult(0, EtcdSamples.Text("endpoint-health.json"), string.Empty);
                case "endpoint status":
                    _statusAsked.TrySetResult();
                    return StatusFails
                        ? new CommandResult(1, "not json", "Error: context deadline exceeded")
                        : new CommandResult(0, EtcdSamples.Text("endpoint-status.json"), string.Empty);
                default:
                    throw new InvalidOperationException("not an etcdctl read this test answers: " + string.Join(' ', command.Argv));
            }
        }
    }
}
