using Serilog.Core;
using Serilog.Events;

namespace Bootstrap.Cli.Workflow;

/// <summary>
/// The <c>--log-file</c> sink, guarded: a log file that cannot be written any more (a full disk, a file that takes no writes)
/// never ends the run or changes its outcome. Writing stops at the first failure, and the end of the run says, on the
/// console, that the log is incomplete and why.
/// </summary>
internal sealed class LogFileSink(ILogEventSink file, string path, TextWriter console) : ILogEventSink, IDisposable
{
    private readonly Lock _lock = new();
    private string? _failure;

    public void Emit(LogEvent logEvent)
    {
        lock (_lock)
        {
            if (_failure is null)
            {
                try
                {
                    file.Emit(logEvent);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _failure = $"at {logEvent.Timestamp:HH:mm:ss}: {e.Message}";
                }
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            try
            {
                (file as IDisposable)?.Dispose();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _failure ??= "at its end: " + e.Message;
            }

            if (_failure is not null)
            {
                console.WriteLine($"warning: the log file {path} is incomplete: writing it failed {_failure}");
                console.Flush();
            }
        }
    }
}
