using System.Globalization;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;
using Serilog.Formatting.Json;

namespace Bootstrap.Cli.Workflow;

/// <summary>
/// The run's logger: human lines on standard error (time, level, then <c>[phase] host: …</c>; never a
/// stack trace) and, with <c>--log-file</c>, every event as one JSON object per line with its properties.
/// Durations in messages read as Go writes them (<c>1s</c>, <c>250ms</c>).
/// The log file is readable by its owner only (0600): it holds host details and command lines.
/// </summary>
internal static class RunLogging
{
    private const string ConsoleTemplate = "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}";

    public static Logger Create(TextWriter console, string? logFile, bool verbose)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Debug()
            .Enrich.With(new GoDurationEnricher())
            .WriteTo.Sink(
                new TextWriterSink(console, new MessageTemplateTextFormatter(ConsoleTemplate, CultureInfo.InvariantCulture)),
                verbose ? LogEventLevel.Debug : LogEventLevel.Information);
        if (logFile is not null)
        {
            CreatePrivate(logFile);
            configuration = configuration.WriteTo.File(new JsonFormatter(renderMessage: true), logFile);
        }

        return configuration.CreateLogger();
    }

    /// <summary>
    /// Creates the file 0600 before the sink appends to it, or takes group and other access away from
    /// one that already exists, so no other user can read the run's log at any moment.
    /// </summary>
    internal static void CreatePrivate(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (new FileStream(path, options))
        {
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
