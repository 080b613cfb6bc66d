using Bootstrap.Core.Remote;
using Bootstrap.Ssh.HostKeys;
using Bootstrap.Ssh.Tests.Infrastructure;

namespace Bootstrap.Ssh.Tests.Integration;

/// <summary>
/// A host that accepts the login but does not run a session's command in time (as an overloaded sshd
/// may): its key's forced command stalls the first <c>hangs</c> sessions, then runs what was asked.
/// </summary>
[Collection(SshdCollection.Name)]
[Trait("Category", "Sshd")]
public sealed class ConnectRetryTests(SshdFixture sshd) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bootstrap-connect-retry-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <param name="stall">What a stalled session runs: by default a command that does not exit.</param>
    private SshdServer StallingServer(int hangs, string stall = "exec sleep 5")
    {
        var script = Path.Combine(_dir, "first-sessions-stall");
        File.WriteAllText(script, $"""
            #!/bin/sh
            count=$(cat {_dir}/sessions 2>/dev/null || echo 0)
            echo $((count + 1)) > {_dir}/sessions
            if [ "$count" -lt {hangs} ]; then {stall}; fi
            exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"

            """);
        File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
        var keys = Directory.CreateDirectory(Path.Combine(_dir, "authorized_keys")).FullName;
        File.WriteAllText(Path.Combine(keys, SshdFixture.RootUser), $"command=\"{script}\" {File.ReadAllText(sshd.Ed25519Key + ".pub").Trim()}\n");
        var server = SshdServer.Start(keys);
        File.WriteAllText(Path.Combine(_dir, "known_hosts"), server.KnownHostsLine + "\n");
        return server;
    }

    private Task<SshHost> ConnectAsync(SshdServer server, LogCapture logs) =>
        SshHost.ConnectAsync(
            sshd.Settings("slow1") with
            {
                Port = server.Port,
                ConnectTimeout = TimeSpan.FromSeconds(1),
                ConnectAttempts = 2,
                RetryDelay = TimeSpan.FromMilliseconds(50),
            },
            new HostKeyTrust(Path.Combine(_dir, "known_hosts"), acceptNew: false, logs.Logger),
            new SecretRedactor(),
            logs.Logger,
            CancellationToken.None);

    [Fact]
    public async Task A_first_command_that_does_not_finish_in_time_is_retried_on_a_new_connection()
    {
        using var server = StallingServer(hangs: 1);
        var logs = new LogCapture();

        await using var host = await ConnectAsync(server, logs);

        Assert.True(host.IsRoot);
        Assert.Equal("0\n", (await host.RunAsync(RemoteCommand.Of("id", "-u"), CancellationToken.None)).Stdout);
        var retry = Assert.Single(logs.Events, e => e.MessageTemplate.Text.Contains("retry", StringComparison.Ordinal));
        Assert.Contains("`id -u` did not finish within 1 s: the host accepted it but it did not exit", retry.RenderMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_whose_sessions_never_run_fails_naming_it_after_the_last_attempt()
    {
        using var server = StallingServer(hangs: int.MaxValue);

        var error = await Assert.ThrowsAsync<SshConnectException>(() => ConnectAsync(server, new LogCapture()));

        Assert.False(error.IsAuthenticationFailure);
        Assert.StartsWith("slow1: cannot connect to ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("(attempt 2 of 2): `id -u` did not finish within 1 s: the host accepted it but it did not exit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_that_exited_in_a_session_the_host_does_not_close_is_told_apart()
    {
        // The command exits at once, but a process it left behind holds its output open: sshd sends the exit status and
        // keeps the session open until that process ends.
        using var server = StallingServer(hangs: int.MaxValue, stall: "sleep 5 & exit 0");

        var error = await Assert.ThrowsAsync<SshConnectException>(() => ConnectAsync(server, new LogCapture()));

        Assert.EndsWith("`id -u` did not finish within 1 s: it exited with status 0 but the host did not close its session", error.Message, StringComparison.Ordinal);
    }
}
