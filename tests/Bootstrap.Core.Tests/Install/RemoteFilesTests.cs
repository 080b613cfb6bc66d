using Bootstrap.Core.Install;
using Bootstrap.Core.Remote;
using Serilog;

namespace Bootstrap.Core.Tests.Install;

/// <summary>RemoteFiles against the real machine through LocalHost (the same commands as over SSH), in a temp directory.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RemoteFilesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bootstrap-remotefiles-").FullName;
    private readonly LocalHost _host = new("local", new SecretRedactor(), new LoggerConfiguration().CreateLogger());

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private DesiredFile File(string name, string text, int mode = 0b110_100_100) =>
        DesiredFile.FromText(new FileSpec(Path.Combine(_root, name), mode, CurrentUser, CurrentGroup), text);

    private static string CurrentUser => Environment.UserName;

    private static string CurrentGroup => Environment.IsPrivilegedProcess ? "root" : Environment.UserName;

    [Fact]
    public async Task Missing_files_and_directories_are_created_and_a_second_apply_changes_nothing()
    {
        DesiredFile[] files = [File("a/b/one.conf", "one\n"), File("two key.pem", "secret\n", 0b110_000_000)];

        var first = await RemoteFiles.ApplyAsync(_host, files, dryRun: false, new SecretRedactor(), CancellationToken.None);
        var second = await RemoteFiles.ApplyAsync(_host, files, dryRun: false, new SecretRedactor(), CancellationToken.None);

        Assert.Equal([FileChangeKind.Created, FileChangeKind.Created], first.Select(c => c.Kind));
        Assert.Empty(second);
        Assert.Equal("one\n", await System.IO.File.ReadAllTextAsync(Path.Combine(_root, "a/b/one.conf")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(Path.Combine(_root, "two key.pem")));
    }

    [Fact]
    public async Task Changed_content_and_changed_mode_are_told_apart_and_fixed()
    {
        var file = File("x.conf", "wanted\n");
        await RemoteFiles.ApplyAsync(_host, [file], dryRun: false, new SecretRedactor(), CancellationToken.None);
        await System.IO.File.WriteAllTextAsync(file.Path, "edited by hand\n");
        var content = await RemoteFiles.ApplyAsync(_host, [file], dryRun: false, new SecretRedactor(), CancellationToken.None);
        System.IO.File.SetUnixFileMode(file.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite);
        var mode = await RemoteFiles.ApplyAsync(_host, [file], dryRun: false, new SecretRedactor(), CancellationToken.None);

        Assert.Equal(FileChangeKind.ContentChanged, Assert.Single(content).Kind);
        Assert.Equal(FileChangeKind.MetadataChanged, Assert.Single(mode).Kind);
        Assert.Equal("wanted\n", await System.IO.File.ReadAllTextAsync(file.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, System.IO.File.GetUnixFileMode(file.Path));
    }

    [Fact]
    public async Task A_dry_run_reports_every_difference_and_writes_nothing()
    {
        var existing = File("same.conf", "same\n");
        await RemoteFiles.ApplyAsync(_host, [existing], dryRun: false, new SecretRedactor(), CancellationToken.None);
        DesiredFile[] wanted = [existing, File("new.conf", "new\n"), File("same.conf", "different\n") with { Spec = existing.Spec with { Path = existing.Path } }];

        var changes = await RemoteFiles.ApplyAsync(_host, wanted[1..], dryRun: true, new SecretRedactor(), CancellationToken.None);

        Assert.Equal([FileChangeKind.Created, FileChangeKind.ContentChanged], changes.Select(c => c.Kind));
        Assert.Equal("would create " + wanted[1].Path, changes[0].Describe(dryRun: true));
        Assert.False(System.IO.File.Exists(wanted[1].Path));
        Assert.Equal("same\n", await System.IO.File.ReadAllTextAsync(existing.Path));
    }
}
