using System.Collections.Concurrent;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Bootstrap.Ssh.Tests.Infrastructure;

/// <summary>A Serilog logger at Verbose whose events are kept, rendered with their properties and exceptions.</summary>
internal sealed class LogCapture : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public LogCapture() => Logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(this).CreateLogger();

    public ILogger Logger { get; }

    public IReadOnlyList<LogEvent> Events => [.. _events];

    /// <summary>Every event as text: message, each property value, and the exception if any.</summary>
    public string AllText => string.Join('\n', _events.Select(e =>
        e.RenderMessage(System.Globalization.CultureInfo.InvariantCulture) + " | "
        + string.Join(" | ", e.Properties.Select(p => p.Key + "=" + p.Value)) + " | " + e.Exception));

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);
}
