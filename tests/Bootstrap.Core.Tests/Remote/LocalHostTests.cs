using System.Security.Cryptography;
using System.Text;
using Bootstrap.Core.Remote;
using Serilog.Core;

namespace Bootstrap.Core.Tests.Remote;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LocalHostTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bootstrap-local-").FullName;
    private readonly SecretRedactor _redactor = new();
    private readonly LocalHost _host;

    public LocalHostTests() => _host = new LocalHost("local", _redactor, Logger.None);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Run_returns_exit_code_stdout_stderr_and_feeds_stdin()
    {
        var result = await _host.RunAsync(new RemoteCommand(["sh", "-c", "cat; echo oops >&2; exit 3"], stdin: "hello"u8.ToArray()), CancellationToken.None);

        Assert.Equal(new CommandResult(3, "hello", "oops\n"), result);
    }

    [Fact]
    public async Task Run_never_lets_a_shell_parse_the_arguments()
    {
        var result = await _host.RunAsync(RemoteCommand.Of("echo", "$(id)", "a;b"), CancellationToken.None);

        Assert.Equal("$(id) a;b\n", result.Stdout);
    }

    [Fact]
    public async Task Run_times_out_with_the_host_named()
    {
        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            _host.RunAsync(RemoteCommand.Of("sleep", "30") with { Timeout = TimeSpan.FromMilliseconds(200) }, CancellationToken.None));

        Assert.StartsWith("local: `sleep 30`", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_is_redacted()
    {
        _redactor.Register("hunter22");

        var result = await _host.RunAsync(RemoteCommand.Of("echo", "pw=hunter22"), CancellationToken.None);

        Assert.Equal("pw=[REDACTED]\n", result.Stdout);
    }

    [Fact]
    public async Task Upload_writes_mode_owner_and_skips_the_second_time()
    {
        var target = new FileSpec(Path.Combine(_dir, "kubelet.conf"), Mode: 0b110_000_000);
        var content = Encoding.UTF8.GetBytes("apiVersion: v1\n");

        var first = await _host.UploadAsync(content, target, CancellationToken.None);
        var second = await _host.UploadAsync(content, target, CancellationToken.None);

        Assert.True(first.Changed);
        Assert.False(second.Changed);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), second.Sha256);
        Assert.Equal(content, await _host.DownloadAsync(target.Path, CancellationToken.None));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(target.Path));
        Assert.Equal(["kubelet.conf"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Upload_with_matching_content_but_wrong_mode_fixes_the_mode()
    {
        var target = new FileSpec(Path.Combine(_dir, "f"), Mode: 0b110_100_000);
        await File.WriteAllTextAsync(target.Path, "same");
        File.SetUnixFileMode(target.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var result = await _host.UploadAsync("same"u8.ToArray(), target, CancellationToken.None);

        Assert.True(result.Changed);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(target.Path));
    }

    [Fact]
    public async Task Upload_with_the_digest_given_installs_the_content_and_reports_that_digest()
    {
        var content = "binary\n"u8.ToArray();
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        var target = new FileSpec(Path.Combine(_dir, "kubelet"), Mode: 0b111_101_101) { Sha256 = sha256.ToUpperInvariant() };

        var result = await _host.UploadAsync(content, target, CancellationToken.None);

        Assert.Equal(new UploadResult(true, sha256), result);
        Assert.Equal(content, await File.ReadAllBytesAsync(target.Path));
    }

    [Fact]
    public async Task Upload_whose_content_is_not_what_the_given_digest_names_is_refused_on_the_host_and_leaves_the_old_file()
    {
        var path = Path.Combine(_dir, "kubelet");
        await File.WriteAllTextAsync(path, "old\n");
        var target = new FileSpec(path, Mode: 0b111_101_101) { Sha256 = Convert.ToHexStringLower(SHA256.HashData("expected\n"u8)) };

        var error = await Assert.ThrowsAsync<IOException>(() => _host.UploadAsync("tampered\n"u8.ToArray(), target, CancellationToken.None));

        Assert.Contains($"the uploaded copy of {path} has sha256 {Convert.ToHexStringLower(SHA256.HashData("tampered\n"u8))}, expected {target.Sha256}", error.Message, StringComparison.Ordinal);
        Assert.Equal("old\n", await File.ReadAllTextAsync(path));
        Assert.Equal(["kubelet"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Download_of_a_missing_file_is_null() =>
        Assert.Null(await _host.DownloadAsync(Path.Combine(_dir, "missing"), CancellationToken.None));

    /// <summary>A program that prints without end (a device read in a file's place) is stopped past the bound, not kept in memory.</summary>
    [Theory]
    [InlineData("head -c 33554433 /dev/zero", "standard output")]
    [InlineData("cat /dev/zero >&2; true", "standard error")]
    public async Task A_command_that_prints_more_than_the_bound_fails_naming_it_and_is_stopped(string script, string stream)
    {
        var tag = "bootstrap-endless-" + Guid.NewGuid().ToString("N");

        var failed = await Assert.ThrowsAsync<CommandOutputTooLargeException>(() =>
            _host.RunAsync(new RemoteCommand(["sh", "-c", script, tag]), CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1)));

        Assert.Equal(
            $"local: `sh -c '{script}' {tag}` printed more than 32 MiB on its {stream}, more than any command Bootstrap runs prints, and was stopped (a device or an endless stream where a file was expected?)",
            failed.Message);
        var left = await _host.RunAsync(new RemoteCommand(["sh", "-c", "sleep 1; pgrep -f \"$1\" || true", "sh", "[b]" + tag[1..]]), CancellationToken.None);
        Assert.Equal(string.Empty, left.Stdout);
    }
}
