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
}
