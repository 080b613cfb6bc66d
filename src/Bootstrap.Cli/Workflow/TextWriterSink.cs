using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace Bootstrap.Cli.Workflow;

/// <summary>Writes log events to the command's error writer (standard error, or a test's capture).</summary>
internal sealed class TextWriterSink(TextWriter writer, ITextFormatter formatter) : ILogEventSink
{
    private readonly Lock _lock = new();

    public void Emit(LogEvent logEvent)
    {
        lock (_lock)
        {
            formatter.Format(logEvent, writer);
            writer.Flush();
        }
    }
}
