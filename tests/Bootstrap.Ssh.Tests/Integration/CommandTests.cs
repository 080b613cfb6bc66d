using Bootstrap.Core.Remote;
using Bootstrap.Ssh.HostKeys;
using Bootstrap.Ssh.Tests.Infrastructure;
using Serilog.Core;

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

    /// <summary>
    /// sshd drops the whole connection when an end of input (EOF) reaches a channel it has already closed ("ieof packet referred to
    /// nonexistent channel"), so the client sends EOF only to a command that takes input (which reads it to its end); a command
    /// without input reads /dev/null (<see cref="RemoteInvocation"/>). Counted in sshd's own log.
    /// </summary>
    [Fact]
    public async Task Only_a_command_that_takes_input_gets_an_end_of_input_from_the_client()
    {
        using var server = SshdServer.Start(sshd.AuthorizedKeys, logLevel: "DEBUG2");
        var dir = Directory.CreateTempSubdirectory("bootstrap-eof-").FullName;
        try
        {
            var knownHosts = Path.Combine(dir, "known_hosts");
            await File.WriteAllTextAsync(knownHosts, server.KnownHostsLine + "\n");
            await using var host = await SshHost.ConnectAsync(
                sshd.Settings() with { Address = server.Address, Port = server.Port }, new HostKeyTrust(knownHosts, acceptNew: false, Logger.None), new SecretRedactor(),
                Logger.None, CancellationToken.None);

            var quick = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => host.RunAsync(RemoteCommand.Of("true"), CancellationToken.None)));
            // A command that would read its input finds it ended at once.
            var reader = await host.RunAsync(RemoteCommand.Of("cat"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            var withoutInput = await EofsAsync(server, atLeast: 0);
            var withInput = await host.RunAsync(new RemoteCommand(["cat"], stdin: "x\n"u8.ToArray()), CancellationToken.None);

            Assert.All(quick, r => Assert.Equal(0, r.ExitCode));
            // (At DEBUG2, sshd also sends its session's debug lines to the command's standard error.)
            Assert.Equal((0, string.Empty), (reader.ExitCode, reader.Stdout));
            Assert.Equal(0, withoutInput);
            Assert.Equal("x\n", withInput.Stdout);
            Assert.Equal(1, await EofsAsync(server, atLeast: 1));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The ends of input sshd received so far ("channel N: rcvd eof"), once there are <paramref name="atLeast"/> or after 5 s.</summary>
    private static async Task<int> EofsAsync(SshdServer server, int atLeast)
    {
        var count = 0;
        for (var i = 0; i < 100; i++)
        {
            count = server.Log.Split('\n').Count(line => line.Contains(": rcvd eof", StringComparison.Ordinal));
            if (count >= atLeast && (atLeast > 0 || i >= 10))
            {
                break;
            }

            await Task.Delay(50);
        }

        return count;
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
        Assert.Equal($"{host.Name}: cannot read /etc as root: /etc is not a regular file (a directory, a device or a FIFO), which is never read", directory.Message);
        var later = logs.Events.Skip(connecting).Select(e => e.MessageTemplate.Text).ToList();
        Assert.Equal(3, later.Count(t => t == "{Host}: running {Command}"));
        Assert.DoesNotContain(later, t => t.Contains("host key", StringComparison.Ordinal) || t.Contains("connected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Download_of_a_device_in_a_files_place_is_refused_without_reading_it()
    {
        // /dev/zero linked in a small file's place would be read without end, into the workstation's memory.
        var link = Path.Combine(Directory.CreateTempSubdirectory("bootstrap-device-").FullName, "keepalived.conf");
        File.CreateSymbolicLink(link, "/dev/zero");
        await using var host = await sshd.ConnectAsync(sshd.Settings(user: SshdFixture.RootUser), new LogCapture().Logger);

        var refused = await Assert.ThrowsAsync<IOException>(() => host.DownloadAsync(link, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Equal($"{host.Name}: cannot read {link} as root: {link} is not a regular file (a directory, a device or a FIFO), which is never read", refused.Message);
        Directory.Delete(Path.GetDirectoryName(link)!, recursive: true);
    }

    /// <summary>
    /// A command's output was kept whole, however large: a program reading a device in a file's place (the etcd unit linked to
    /// /dev/zero, read by `cat`) printed until the workstation's memory ran out. Past the bound the call fails naming the host,
    /// the command and the stream, the command is stopped on the host, and the connection goes on.
    /// </summary>
    [Theory]
    [InlineData("head -c 33554433 /dev/zero", "standard output")]
    [InlineData("head -c 33554433 /dev/zero >&2", "standard error")]
    [InlineData("cat /dev/zero; true", "standard output")]
    [InlineData("cat /dev/zero >&2; true", "standard error")]
    public async Task A_command_that_prints_more_than_the_bound_fails_naming_it_is_stopped_and_the_connection_goes_on(string script, string stream)
    {
        await using var host = await sshd.ConnectAsync(sshd.Settings(user: SshdFixture.RootUser));
        var tag = "bootstrap-endless-" + Guid.NewGuid().ToString("N");
        var command = new RemoteCommand(["sh", "-c", script, tag], timeout: TimeSpan.FromMinutes(2));

        var failed = await Assert.ThrowsAsync<CommandOutputTooLargeException>(() => host.RunAsync(command, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1)));

        Assert.Equal(
            $"{host.Name}: `sh -c '{script}' {tag}` printed more than 32 MiB on its {stream}, more than any command Bootstrap runs prints, and was stopped (a device or an endless stream where a file was expected?)",
            failed.Message);
        Assert.Equal(new CommandResult(0, "ok\n", string.Empty), await host.RunAsync(RemoteCommand.Of("echo", "ok"), CancellationToken.None));
        // "[b]ootstrap-…" finds the command's shell, not this one's own arguments.
        var left = await host.RunAsync(new RemoteCommand(["sh", "-c", "sleep 1; pgrep -f \"$1\" || true", "sh", "[b]" + tag[1..]]), CancellationToken.None);
        Assert.Equal(string.Empty, left.Stdout);
    }

    [Fact]
    public async Task A_command_that_prints_exactly_the_bound_is_read_whole()
    {
        await using var host = await sshd.ConnectAsync(sshd.Settings());

        var result = await host.RunAsync(new RemoteCommand(["sh", "-c", "head -c 33554432 /dev/zero | tr '\\0' x"]), CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(CommandOutput.MaxBytes, result.Stdout.Length);
    }
}
