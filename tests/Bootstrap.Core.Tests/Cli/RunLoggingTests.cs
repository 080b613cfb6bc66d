using System.Text.Json;
using Bootstrap.Cli.Workflow;

namespace Bootstrap.Core.Tests.Cli;

/// <summary>The run's log says durations as Go does (1s, 250ms), on the console and in the --log-file message.</summary>
public sealed class RunLoggingTests
{
    [Fact]
    public void Console_lines_render_durations_go_style()
    {
        using var console = new StringWriter { NewLine = "\n" };
        using (var logger = RunLogging.Create(console, logFile: null, verbose: false))
        {
            logger.Warning("{Host}: retry {Attempt} of {Attempts} in {Delay}", "cp1", 2, 3, TimeSpan.FromSeconds(1));
            logger.Warning("{Host}: retry in {Delay}", "cp2", TimeSpan.FromMilliseconds(250));
            logger.Information("[{Phase}] done ({Duration:0.0}s)", "etcd", 1.2);
        }

        var lines = console.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith(" WRN cp1: retry 2 of 3 in 1s", lines[0], StringComparison.Ordinal);
        Assert.EndsWith(" WRN cp2: retry in 250ms", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(" INF [etcd] done (1.2s)", lines[2], StringComparison.Ordinal);
        Assert.DoesNotContain("00:00:", console.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_log_file_message_renders_durations_go_style()
    {
        var file = Path.Combine(Path.GetTempPath(), $"bootstrap-log-{Guid.NewGuid():N}.json");
        try
        {
            using (var logger = RunLogging.Create(TextWriter.Null, file, verbose: false))
            {
                logger.Warning("retry in {Delay}", TimeSpan.FromSeconds(2));
            }

            using var json = JsonDocument.Parse(File.ReadAllLines(file).Single());
            Assert.Equal("retry in \"2s\"", json.RootElement.GetProperty("RenderedMessage").GetString());
            Assert.Equal("2s", json.RootElement.GetProperty("Properties").GetProperty("Delay").GetString());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
