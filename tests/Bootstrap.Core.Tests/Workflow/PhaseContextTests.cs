using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;
using Serilog;

namespace Bootstrap.Core.Tests.Workflow;

/// <summary>A run's context: hosts outside the cluster file, reached once per run (<see cref="PhaseContext.OutsideAsync"/>).</summary>
public sealed class PhaseContextTests
{
    [Fact]
    public async Task A_connect_to_a_host_outside_the_file_that_its_caller_gave_up_on_is_made_again_for_the_next_caller_and_closed_with_the_run()
    {
        var connector = new FirstConnectHangsConnector();
        var spare = WorkflowFixtures.LabConfig.Hosts[0] with { Name = "spare" };
        var context = new PhaseContext
        {
            Config = WorkflowFixtures.LabConfig,
            Hosts = new Dictionary<string, IRemoteHost>(StringComparer.Ordinal),
            Redactor = new SecretRedactor(),
            Logger = new LoggerConfiguration().CreateLogger(),
            Connector = connector,
        };

        using var givenUp = new CancellationTokenSource();
        var first = context.OutsideAsync(spare, givenUp.Token);
        await connector.FirstStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await givenUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);

        var (view, error) = await context.OutsideAsync(spare, CancellationToken.None);
        Assert.True(view is not null, error);
        Assert.Equal("spare", view.Name);

        await context.DisposeAsync();
        Assert.True(connector.FirstCancelled);
        Assert.Single(connector.Connected);
        Assert.True(connector.Connected[0].Disposed);
    }
}
