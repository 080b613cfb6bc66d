using Bootstrap.Core.Remote;
using Bootstrap.Ssh.Tests.Infrastructure;

namespace Bootstrap.Ssh.Tests.Integration;

[Collection(SshdCollection.Name)]
[Trait("Category", "Sshd")]
public sealed class CommandTests(SshdFixture sshd)
{
    [Fact]
    public async Task Run_returns_exit_code_stdout_stderr_and_feeds_stdin()
    {
        await using var host = await sshd.ConnectAsync(sshd.Settings());

        var result = await host.RunAsync(new RemoteCommand(["sh", "-c", "cat; echo oops >&2; exit 3"], stdin: "hello\n"u8.ToArray()), CancellationToken.None);

        Assert.Equal(new CommandResult(3, "hello\n", "oops\n"), result);
    }

    /// <summary>
    /// Regression: the input stream was attached after the command started, and a command that
    /// finished first made SSH.NET throw "The input stream can be used only during execution"
    /// (seen as random preflight failures on the lab).
    /// </summary>
    [Fact]
    public async Task Many_instant_commands_in_parallel_all_succeed_even_when_they_finish_before_stdin_is_attached()
    {
        await using var host = await sshd.ConnectAsync(sshd.Settings());

        var results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => host.RunAsync(RemoteCommand.Of("true"), CancellationToken.None)));

        Assert.All(results, r => Assert.Equal(0, r.ExitCode));
    }

    [Fact]
    public async Task Every_argument_arrives_unchanged_through_the_remote_shell()
    {
        string[] nasty = ["a b", "it's", "$(touch /tmp/pwned)", "`id`", "x;y", "*", "\"q\"", "new\nline", "back\\slash", "", "-n", "ünï"];
        await using var host = await sshd.ConnectAsync(sshd.Settings());

        var result = await host.RunAsync(new RemoteCommand(["printf", "%s\\n", .. nasty]), CancellationToken.None);

        Assert.Equal(string.Concat(nasty.Select(a => a + "\n")), result.Stdout);
    }

    [Fact]
    public async Task A_command_past_its_timeout_fails_naming_the_host()
    {
        await using var host = await sshd.ConnectAsync(sshd.Settings("slowpoke"));

        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            host.RunAsync(RemoteCommand.Of("sleep", "30") with { Timeout = TimeSpan.FromMilliseconds(300) }, CancellationToken.None));

        Assert.StartsWith("slowpoke: `sleep 30`", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_stops_a_running_command()
    {
        await using var host = await sshd.ConnectAsync(sshd.Settings());
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var started = DateTime.UtcNow;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.RunAsync(RemoteCommand.Of("sleep", "30"), cancel.Token));

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Download_returns_bytes_or_null_when_missing()
    {
        await using var host = await sshd.ConnectAsync(sshd.Settings());

        Assert.Equal(await File.ReadAllBytesAsync("/etc/os-release"), await host.DownloadAsync("/etc/os-release", CancellationToken.None));
        Assert.Null(await host.DownloadAsync("/nonexistent/bootstrap-test", CancellationToken.None));
    }

    /// <summary>A small file is read on the connection commands run on: no second handshake (SFTP's) per host.</summary>
    [Theory]
    [InlineData(SshdFixture.RootUser)]
    [InlineData(SshdFixture.SudoNoPasswordUser)]
    public async Task Download_reads_root_only_files_on_the_command_connection_without_a_second_handshake(string user)
    {
        var logs = new LogCapture();
        await using var host = await sshd.ConnectAsync(sshd.Settings(user: user), logs.Logger);
        var connecting = logs.Events.Count;

        var shadow = await host.DownloadAsync("/etc/shadow", CancellationToken.None);
        var missing = await host.DownloadAsync("/etc/bootstrap-no-such-file", CancellationToken.None);
        var directory = await Assert.ThrowsAsync<IOException>(() => host.DownloadAsync("/etc", CancellationToken.None));

        Assert.Equal(await File.ReadAllBytesAsync("/etc/shadow"), shadow);
        Assert.Null(missing);
        Assert.Equal($"{host.Name}: cannot read /etc as root: cat: /etc: Is a directory", directory.Message);
        var later = logs.Events.Skip(connecting).Select(e => e.MessageTemplate.Text).ToList();
        Assert.Equal(3, later.Count(t => t == "{Host}: running {Command}"));
        Assert.DoesNotContain(later, t => t.Contains("host key", StringComparison.Ordinal) || t.Contains("connected", StringComparison.Ordinal));
    }
}
