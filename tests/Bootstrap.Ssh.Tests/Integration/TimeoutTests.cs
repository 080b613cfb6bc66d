using System.Diagnostics;
using System.Security.Cryptography;
using Bootstrap.Core.Remote;
using Bootstrap.Ssh.HostKeys;
using Bootstrap.Ssh.Tests.Infrastructure;

namespace Bootstrap.Ssh.Tests.Integration;

/// <summary>
/// Every remote call ends: commands by their timeout, transfers when they stop moving, and a host whose
/// sshd stops answering (SIGSTOP, kernel still up) is given up instead of waited on.
/// </summary>
[Collection(SshdCollection.Name)]
[Trait("Category", "Sshd")]
public sealed class TimeoutTests(SshdFixture sshd) : IDisposable
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(2);

    private readonly string _dir = Directory.CreateTempSubdirectory("bootstrap-timeouts-").FullName;
    private readonly string _remoteDir = Directory.CreateDirectory($"/var/tmp/bootstrap-timeouts-{Guid.NewGuid():N}").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        Directory.Delete(_remoteDir, recursive: true);
    }

    [Fact]
    public async Task A_command_longer_than_the_default_timeout_is_cut_and_the_host_stays_usable()
    {
        await using var host = await sshd.ConnectAsync(sshd.Settings("cut1") with { CommandTimeout = TimeSpan.FromSeconds(1) });
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TimeoutException>(() => host.RunAsync(RemoteCommand.Of("sleep", "30"), CancellationToken.None));

        Assert.Equal("cut1: `sleep 30` did not finish within 1s.", error.Message);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8));
        Assert.True(host.IsConnected);
        Assert.Equal("ok\n", (await host.RunAsync(RemoteCommand.Of("echo", "ok"), CancellationToken.None)).Stdout);
    }

    [Fact]
    public async Task A_commands_own_timeout_overrides_the_default()
    {
        await using var host = await sshd.ConnectAsync(sshd.Settings("cut2") with { CommandTimeout = TimeSpan.FromSeconds(1) });

        var slow = await host.RunAsync(new RemoteCommand(["sh", "-c", "sleep 2; echo done"], timeout: TimeSpan.FromSeconds(20)), CancellationToken.None);
        var error = await Assert.ThrowsAsync<TimeoutException>(() =>
            host.RunAsync(new RemoteCommand(["sleep", "30"], timeout: TimeSpan.FromSeconds(2)), CancellationToken.None));

        Assert.Equal("done\n", slow.Stdout);
        Assert.Equal("cut2: `sleep 30` did not finish within 2s.", error.Message);
    }

    [Fact]
    public async Task On_a_stopped_sshd_a_command_times_out_naming_it_and_later_calls_fail_at_once()
    {
        using var server = Server();
        await using var host = await ConnectAsync(server, "frozen1");
        Assert.NotNull(await host.DownloadAsync("/etc/hostname", CancellationToken.None));
        server.Freeze(true);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TimeoutException>(() => host.RunAsync(RemoteCommand.Of("systemctl", "restart", "kubelet"), CancellationToken.None));
        var afterCommand = clock.Elapsed;
        var download = await Assert.ThrowsAsync<SshConnectException>(() => host.DownloadAsync("/etc/hostname", CancellationToken.None));
        var upload = await Assert.ThrowsAsync<SshConnectException>(() => host.UploadAsync("x"u8.ToArray(), new FileSpec(Path.Combine(_remoteDir, "f"), 0b110_100_100), CancellationToken.None));

        Assert.Equal("frozen1: `systemctl restart kubelet` did not finish within 2s.", error.Message);
        Assert.InRange(afterCommand, Short, Short + Short + TimeSpan.FromSeconds(4));
        Assert.InRange(clock.Elapsed - afterCommand, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.Contains("frozen1: cannot run download of /etc/hostname: the connection was closed after the host stopped answering", download.Message, StringComparison.Ordinal);
        Assert.StartsWith("frozen1: cannot run ", upload.Message, StringComparison.Ordinal);
        Assert.False(host.IsConnected);
    }

    [Fact]
    public async Task On_a_sshd_stopped_mid_upload_the_upload_fails_as_stalled_within_the_stall_timeout()
    {
        using var server = Server();
        await using var host = await ConnectAsync(server, "frozen2");
        var target = Path.Combine(_remoteDir, "kubelet");
        var content = RandomNumberGenerator.GetBytes(64 * 1024 * 1024);
        var frozenAt = Stopwatch.StartNew();

        // The content is read twice (hash, then send): the server stops 8 MB into sending. The upload
        // itself is never cancelled; the token only fires the freeze.
        using var freeze = new CancellationTokenSource();
        using var onFreeze = freeze.Token.Register(() =>
        {
            server.Freeze(true);
            frozenAt.Restart();
        });
        await using var sending = new CancelAfterBytesStream(new MemoryStream(content), content.Length + (8L * 1024 * 1024), freeze);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => host.UploadAsync(sending, new FileSpec(target, 0b111_101_101), CancellationToken.None));

        Assert.Equal($"frozen2: upload of {target} stalled: no progress for 2s.", error.Message);
        Assert.True(freeze.IsCancellationRequested);
        Assert.InRange(frozenAt.Elapsed, Short, Short + Short + TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task An_upload_to_a_host_that_stops_reading_fails_as_stalled_and_the_host_closes_within_moments()
    {
        // The path to the host stops 8 MB into sending: the connection's socket fills and SSH.NET's send blocks, holding it.
        // Closing the upload's channel, or the connection, then must not wait behind that send.
        using var relay = new ForgetfulRelay(sshd.Server.Address, sshd.Server.Port, smallBuffers: true);
        var host = await sshd.ConnectAsync(sshd.Settings("paused1") with
        {
            Port = relay.Port,
            HostKeyFingerprints = [sshd.Server.HostKeyFingerprint],
            ConnectTimeout = Short,
            CommandTimeout = Short,
            TransferStallTimeout = Short,
        });
        var target = Path.Combine(_remoteDir, "kubelet");
        var content = RandomNumberGenerator.GetBytes(64 * 1024 * 1024);
        using var pause = new CancellationTokenSource();
        using var onPause = pause.Token.Register(relay.Pause);
        await using var sending = new CancelAfterBytesStream(new MemoryStream(content), content.Length + (8L * 1024 * 1024), pause);
        var clock = Stopwatch.StartNew();

        var upload = host.UploadAsync(sending, new FileSpec(target, 0b111_101_101), CancellationToken.None);
        var error = await Assert.ThrowsAsync<TimeoutException>(() => upload.WaitAsync(TimeSpan.FromSeconds(30)));
        var failed = clock.Elapsed;
        await host.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal($"paused1: upload of {target} stalled: no progress for 2s.", error.Message);
        Assert.True(pause.IsCancellationRequested);
        Assert.InRange(failed, Short, Short + Short + Short + TimeSpan.FromSeconds(4));
        Assert.InRange(clock.Elapsed - failed, TimeSpan.Zero, TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task On_a_stopped_sshd_a_small_download_times_out_within_the_command_timeout()
    {
        using var server = Server();
        await using var host = await ConnectAsync(server, "frozen3");
        Assert.NotNull(await host.DownloadAsync("/etc/hostname", CancellationToken.None));
        server.Freeze(true);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TimeoutException>(() => host.DownloadAsync("/etc/os-release", CancellationToken.None));

        Assert.Equal("frozen3: download of /etc/os-release did not finish within 2s.", error.Message);
        Assert.InRange(clock.Elapsed, Short, Short + Short + TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task A_streamed_download_that_stops_moving_fails_as_stalled_within_the_stall_timeout()
    {
        using var server = Server();
        await using var host = await ConnectAsync(server, "frozen4");
        var path = Path.Combine(_remoteDir, "snapshot.db");
        await File.WriteAllBytesAsync(path, RandomNumberGenerator.GetBytes(64 * 1024 * 1024));
        var frozenAt = Stopwatch.StartNew();
        var frozen = false;
        using var destination = new WatchedStream(total =>
        {
            if (total > 4 * 1024 * 1024 && !frozen)
            {
                frozen = true;
                server.Freeze(true);
                frozenAt.Restart();
            }
        });

        var error = await Assert.ThrowsAsync<TimeoutException>(() => host.DownloadToAsync(path, destination, CancellationToken.None));

        Assert.Equal($"frozen4: download of {path} stalled: no progress for 2s.", error.Message);
        Assert.InRange(frozenAt.Elapsed, Short, Short + Short + TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task A_slow_upload_that_keeps_moving_outlasts_the_stall_timeout()
    {
        // The host's dd reads what arrives through a throttle, about 1 MB/s: a dd first on the PATH that sshd gives sessions.
        // Each write the host takes is progress; after the last one, what the channel's window still holds (OpenSSH's: 2 MB)
        // drains in about 2 s, within the stall timeout, while the whole upload takes about twice as long as that timeout.
        var bin = Directory.CreateDirectory(Path.Combine(_dir, "slow-bin")).FullName;
        var throttle = Path.Combine(bin, "dd");
        File.WriteAllText(throttle, """
            #!/bin/sh
            python3 -c '
            import os, sys, time
            while True:
                chunk = os.read(0, 16384)
                if not chunk:
                    break
                sys.stdout.buffer.write(chunk)
                sys.stdout.buffer.flush()
                time.sleep(0.015625)
            ' | /bin/dd "$@"

            """);
        File.SetUnixFileMode(throttle, (UnixFileMode)0b111_101_101);
        using var server = Server($"SetEnv PATH={bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        await using var host = await ConnectAsync(server, "slow1", stall: TimeSpan.FromSeconds(5));
        var content = RandomNumberGenerator.GetBytes(10 * 1024 * 1024);
        var target = Path.Combine(_remoteDir, "slow.bin");
        var clock = Stopwatch.StartNew();

        var result = await host.UploadAsync(content, new FileSpec(target, 0b110_100_100), CancellationToken.None);

        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(5), $"the upload took only {clock.Elapsed}: not throttled");
        Assert.True(result.Changed);
        Assert.Equal(content, await File.ReadAllBytesAsync(target));
    }

    [Fact]
    public async Task The_keep_alive_finds_out_that_an_idle_connections_peer_forgot_it()
    {
        // One relay each, so the control connection can be seen to be idle (its login's last messages
        // delivered) before the path is cut; the watched one logged in first, so its own are delivered too.
        using var watchedPath = new ForgetfulRelay(sshd.Server.Address, sshd.Server.Port);
        using var unwatchedPath = new ForgetfulRelay(sshd.Server.Address, sshd.Server.Port);
        var settings = sshd.Settings("reboot1") with { HostKeyFingerprints = [sshd.Server.HostKeyFingerprint] };
        await using var watched = await sshd.ConnectAsync(settings with { Port = watchedPath.Port, KeepAliveInterval = TimeSpan.FromMilliseconds(300) });
        await using var unwatched = await sshd.ConnectAsync(settings with { Port = unwatchedPath.Port, KeepAliveInterval = Timeout.InfiniteTimeSpan });
        await unwatchedPath.QuietAsync(TimeSpan.FromSeconds(1), limit: TimeSpan.FromSeconds(10));

        watchedPath.Forget();
        unwatchedPath.Forget();
        var deadline = Stopwatch.StartNew();
        while (watched.IsConnected && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
        }

        Assert.False(watched.IsConnected);
        Assert.InRange(deadline.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3));
        Assert.True(unwatched.IsConnected, "without keep-alive nothing was sent, so nothing could tell");
        Assert.Equal(1, watchedPath.Resets);
        Assert.Equal(0, unwatchedPath.Resets);
        var error = await Assert.ThrowsAsync<ConnectionLostException>(() => watched.RunAsync(RemoteCommand.Of("true"), CancellationToken.None));
        Assert.Equal("reboot1: the connection is closed; cannot run `true`.", error.Message);
    }

    /// <summary>
    /// Starting a command does not wait for the host: SSH.NET opens a command's channel synchronously, and a caller that
    /// starts commands on several hosts one after the other (a phase's plans, preflight's probes) waited for each host's
    /// answer before starting the next, so a slow host delayed every host after it. The call returns at once; the command
    /// runs when the host answers.
    /// </summary>
    [Fact]
    public async Task Starting_a_command_returns_to_its_caller_before_the_host_answers()
    {
        using var server = Server();
        await using var host = await ConnectAsync(server, "unanswered1", connect: TimeSpan.FromSeconds(30));
        Assert.Equal("ok\n", (await host.RunAsync(RemoteCommand.Of("echo", "ok"), CancellationToken.None)).Stdout);
        server.Freeze(true);
        Task<CommandResult>? started = null;
        bool returned;
        var caller = new Thread(() => started = host.RunAsync(new RemoteCommand(["echo", "later"], timeout: TimeSpan.FromSeconds(30)), CancellationToken.None));
        try
        {
            caller.Start();
            returned = caller.Join(TimeSpan.FromSeconds(5));
            Assert.False(started is { IsCompleted: true });
        }
        finally
        {
            server.Freeze(false);
            caller.Join();
        }

        Assert.True(returned, "RunAsync kept its caller until the host answered");
        Assert.Equal("later\n", (await started!).Stdout);
    }

    private SshdServer Server(string? extraConfig = null)
    {
        var server = SshdServer.Start(sshd.AuthorizedKeys, extraConfig: extraConfig);
        File.WriteAllText(Path.Combine(_dir, "known_hosts"), server.KnownHostsLine + "\n");
        return server;
    }

    private Task<SshHost> ConnectAsync(SshdServer server, string name, TimeSpan? stall = null, TimeSpan? connect = null) =>
        SshHost.ConnectAsync(
            sshd.Settings(name) with
            {
                Port = server.Port,
                ConnectTimeout = connect ?? Short,
                CommandTimeout = Short,
                TransferStallTimeout = stall ?? Short,
            },
            new HostKeyTrust(Path.Combine(_dir, "known_hosts"), acceptNew: false, Serilog.Core.Logger.None),
            new SecretRedactor(),
            Serilog.Core.Logger.None,
            CancellationToken.None);
}
