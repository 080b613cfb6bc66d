using Bootstrap.Cli;
using Bootstrap.Cli.Workflow;
using Bootstrap.Core.Config;
using Bootstrap.Core.Phases;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Tests.Workflow;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Cli;

/// <summary>Cancelling a run (what Ctrl-C does) exits 130 and says which phase was left in which state.</summary>
public sealed class WorkflowCancellationTests
{
    private static readonly string LabFile = LabCluster.File;

    /// <summary>Hosts whose first command never answers until cancelled.</summary>
    private sealed class HangingMachines(CancellationTokenSource cancel) : IHostConnector
    {
        public Task<IRemoteHost> ConnectAsync(HostSpec host, CancellationToken cancellationToken) =>
            Task.FromResult<IRemoteHost>(new Hanging(host.Name, cancel));
    }

    private sealed class Hanging(string name, CancellationTokenSource cancel) : IRemoteHost
    {
        public string Name { get; } = name;

        public async Task<CommandResult> RunAsync(RemoteCommand command, CancellationToken cancellationToken)
        {
            await cancel.CancelAsync();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }

        public Task<UploadResult> UploadAsync(Stream content, FileSpec target, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<byte[]?> DownloadAsync(string path, CancellationToken cancellationToken) => throw new NotSupportedException();


        public Task<bool> DownloadToAsync(string path, Stream destination, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Cancelled_preflight_exits_130_and_reports_the_phase_interrupted_per_host()
    {
        using var cancel = new CancellationTokenSource();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var invocation = new WorkflowInvocation
        {
            File = LabFile,
            Selection = new WorkflowSelection { Only = "preflight" },
            Options = new Bootstrap.Core.Phases.Preflight.PreflightOptions(),
            Json = true,
        };

        var exitCode = await new WorkflowCommandRunner(new HangingMachines(cancel)).RunAsync(invocation, output, error, cancel.Token);

        Assert.Equal(ExitCodes.Cancelled, exitCode);
        Assert.Contains("WRN [preflight] interrupted: lb1 cancelled", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("cancelled; every phase is safe to run again", error.ToString(), StringComparison.Ordinal);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("\"state\":\"interrupted\"", lines[^2], StringComparison.Ordinal);
        Assert.Contains("\"exitCode\":130", lines[^1], StringComparison.Ordinal);
    }
}
