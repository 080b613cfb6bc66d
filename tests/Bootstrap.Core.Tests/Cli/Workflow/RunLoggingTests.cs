using System.Runtime.Versioning;
using Bootstrap.Cli.Workflow;

namespace Bootstrap.Core.Tests.Cli.Workflow;

public sealed class RunLoggingTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _dir = Directory.CreateTempSubdirectory("bootstrap-runlog-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    [SupportedOSPlatform("linux")]
    public void A_new_log_file_is_created_0600_and_gets_the_events()
    {
        var path = Path.Combine(_dir, "run.log");

        using (var logger = RunLogging.Create(TextWriter.Null, path, verbose: false))
        {
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
            logger.Information("{Host}: hello", "cp1");
        }

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.Contains("hello", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public void An_existing_world_readable_log_file_is_made_0600_and_appended_to()
    {
        var path = Path.Combine(_dir, "run.log");
        File.WriteAllText(path, "earlier\n");
        File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        using (var logger = RunLogging.Create(TextWriter.Null, path, verbose: false))
        {
            logger.Information("later");
        }

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.StartsWith("earlier\n", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing/run.log", "is in {dir}/missing, which does not exist")]
    [InlineData("", "is a directory")]
    public void A_log_file_that_cannot_be_written_is_bad_input_before_anything_runs(string relative, string problem)
    {
        var path = relative.Length == 0 ? _dir : Path.Combine(_dir, relative);

        var (exitCode, output, error) = CliRun.Run("plan", "-f", LabCluster.File, "--log-file", path);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains($"--log-file: \"{path}\" {problem.Replace("{dir}", _dir, StringComparison.Ordinal)}; expected a file to append the run's log to", error, StringComparison.Ordinal);
        Assert.DoesNotContain("connect", error, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_log_file_that_stops_taking_writes_ends_nothing_and_the_run_says_it_is_incomplete()
    {
        var file = new FailingSink(after: 1);
        var console = new StringWriter();

        using (var sink = new LogFileSink(file, "/var/log/run.log", console))
        {
            for (var i = 0; i < 3; i++)
            {
                sink.Emit(new Serilog.Events.LogEvent(DateTimeOffset.UtcNow, Serilog.Events.LogEventLevel.Information, null, Serilog.Events.MessageTemplate.Empty, []));
            }

            Assert.Empty(console.ToString());
        }

        Assert.Equal(2, file.Attempts);
        Assert.StartsWith("warning: the log file /var/log/run.log is incomplete: writing it failed at ", console.ToString(), StringComparison.Ordinal);
        Assert.EndsWith(": No space left on device\n", console.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Devices_and_kernel_files_are_never_given_a_mode_and_regular_files_are()
    {
        var link = Path.Combine(_dir, "to-null");
        File.CreateSymbolicLink(link, "/dev/null");

        Assert.True(RunLogging.IsPseudoFile("/dev/stderr"));
        Assert.True(RunLogging.IsPseudoFile("/proc/version"));
        Assert.True(RunLogging.IsPseudoFile(link));
        Assert.False(RunLogging.IsPseudoFile(Path.Combine(_dir, "run.log")));
        File.WriteAllText(Path.Combine(_dir, "run.log"), string.Empty);
        Assert.False(RunLogging.IsPseudoFile(Path.Combine(_dir, "run.log")));
    }

    private sealed class FailingSink(int after) : Serilog.Core.ILogEventSink
    {
        public int Attempts { get; private set; }

        public void Emit(Serilog.Events.LogEvent logEvent)
        {
            if (++Attempts > after)
            {
                throw new IOException("No space left on device");
            }
        }
    }
}
