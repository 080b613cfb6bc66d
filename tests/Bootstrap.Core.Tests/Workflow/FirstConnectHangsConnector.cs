using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Workflow;

/// <summary>Connects to hosts outside the file: the first connect waits until it is cancelled, every later one connects at once.</summary>
internal sealed class FirstConnectHangsConnector : IHostConnector
{
    private int _connects;

    public TaskCompletionSource FirstStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool FirstCancelled { get; private set; }

    public List<FakeHost> Connected { get; } = [];

    public async Task<IRemoteHost> ConnectAsync(HostSpec host, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _connects) == 1)
        {
            FirstStarted.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                FirstCancelled = true;
                throw;
            }
        }

        var connected = new FakeHost(host.Name);
        lock (Connected)
        {
            Connected.Add(connected);
        }

        return connected;
    }
}
