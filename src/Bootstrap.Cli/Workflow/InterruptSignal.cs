using System.Runtime.InteropServices;

namespace Bootstrap.Cli.Workflow;

/// <summary>Turns Ctrl-C (SIGINT) and SIGTERM into cancellation of a run instead of killing the process, so it can say what it left in which state.</summary>
internal sealed class InterruptSignal : IDisposable
{
    private readonly CancellationTokenSource _cancellation;
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    public InterruptSignal(CancellationToken outer)
    {
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
    }

    public CancellationToken Token => _cancellation.Token;

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _cancellation.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        _cancellation.Cancel();
    }
}
