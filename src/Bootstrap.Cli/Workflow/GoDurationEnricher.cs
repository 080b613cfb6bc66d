using Bootstrap.Core.Kubernetes;
using Serilog.Core;
using Serilog.Events;

namespace Bootstrap.Cli.Workflow;

/// <summary>
/// Durations logged as properties read as Go writes them (<c>1s</c>, <c>250ms</c>, via <see cref="GoDuration.Format"/>)
/// instead of .NET's <c>00:00:01</c>, on the console and in the JSON log file alike.
/// </summary>
internal sealed class GoDurationEnricher : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        foreach (var (name, value) in logEvent.Properties.ToArray())
        {
            if (value is ScalarValue { Value: TimeSpan duration })
            {
                logEvent.AddOrUpdateProperty(new LogEventProperty(name, new ScalarValue(GoDuration.Format(duration))));
            }
        }
    }
}
