using System.Globalization;
using System.CommandLine.Parsing;
using Bootstrap.Core.Config;
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
            configuration = configuration.WriteTo.Sink(Serilog.Configuration.LoggerSinkConfiguration.Wrap(
                file => new LogFileSink(file, logFile, console), sinks => sinks.File(new JsonFormatter(renderMessage: true), logFile)));
        }

        return configuration.CreateLogger();
    }

    /// <summary>The <c>--log-file</c> option, checked when the command line is parsed (<see cref="Validate"/>).</summary>
    public static System.CommandLine.Option<string?> Option(string description)
    {
        var option = new System.CommandLine.Option<string?>("--log-file") { Description = description };
        option.Validators.Add(Validate);
        return option;
    }

    /// <summary>
    /// Checks a <c>--log-file</c> value when the command line is parsed, before anything runs: a file this user can append to
    /// (made 0600 when missing), in a directory that exists. Bad input is reported as the option's error (exit 2).
    /// </summary>
    public static void Validate(OptionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.GetValueOrDefault<string?>() is not { } path)
        {
            return;
        }

        var problem = path.Length == 0 ? "is empty"
            : Directory.Exists(path) ? "is a directory"
            : Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory && !Directory.Exists(directory) ? $"is in {directory}, which does not exist"
            : null;
        if (problem is null)
        {
            try
            {
                CreatePrivate(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problem = "cannot be opened for writing: " + e.Message;
            }
        }

        if (problem is not null)
        {
            result.AddError($"--log-file: {InputQuote.QuotePath(path)} {problem}; expected a file to append the run's log to");
        }
    }

    /// <summary>
    /// Creates the file 0600 before the sink appends to it, or takes group and other access away from
    /// one that already exists, so no other user can read the run's log at any moment. A device or kernel file named on
    /// purpose (<c>/dev/stderr</c>; anything under /dev, /proc or /sys) keeps its own mode.
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

        if (!OperatingSystem.IsWindows() && !IsPseudoFile(path))
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>Whether <paramref name="path"/>, its links followed, is a device or a kernel file (under /dev, /proc or /sys): never given a mode.</summary>
    internal static bool IsPseudoFile(string path)
    {
        var target = Path.GetFullPath(path);
        try
        {
            target = File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? target;
        }
        catch (IOException)
        {
            // Missing, or a link that leads nowhere: the path itself is what would be made.
        }

        return new[] { "/dev/", "/proc/", "/sys/" }.Any(root => target.StartsWith(root, StringComparison.Ordinal));
    }
}
