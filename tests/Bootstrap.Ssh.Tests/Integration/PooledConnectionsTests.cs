using System.Diagnostics;
using Bootstrap.Core.Remote;
using Bootstrap.Ssh.HostKeys;
using Bootstrap.Ssh.Tests.Infrastructure;
using Serilog.Core;

namespace Bootstrap.Ssh.Tests.Integration;

/// <summary>
/// More hosts than the bound on open connections (<see cref="ConnectionPool"/>) over real SSH: every host still
/// answers, the connections open never outnumber the bound, and a reconnection verifies the host like the first.
/// </summary>
[Collection(SshdCollection.Name)]
[Trait("Category", "Sshd")]
public sealed class PooledConnectionsTests(SshdFixture sshd) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bootstrap-pool-").FullName;

    private string KnownHosts => Path.Combine(_dir, "known_hosts");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Six_hosts_under_a_bound_of_two_all_answer_with_never_more_than_two_connections_open()
    {
        using var server = SshdServer.Start(sshd.AuthorizedKeys);
        await File.WriteAllTextAsync(KnownHosts, server.KnownHostsLine + "\n");
        var trust = new HostKeyTrust(KnownHosts, acceptNew: false, Logger.None);
        var names = Enumerable.Range(1, 6).Select(i => $"node{i}").ToList();
        var pool = new ConnectionPool(2, Logger.None);
        var hosts = new List<IRemoteHost>();
        try
        {
            await using (var watch = TcpConnections.Watch(server.Port))
            {
                await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (name, token) =>
                {
                    var host = await pool.ConnectAsync(ct => Connect(server, name, trust, ct), token);
                    lock (hosts)
                    {
                        hosts.Add(host);
                    }
                });

                var key = await File.ReadAllBytesAsync(server.HostPublicKeyPath);
                for (var round = 0; round < 3; round++)
                {
                    var answers = await Task.WhenAll(hosts.Select(async h =>
                        (h.Name, Echo: (await h.RunAsync(RemoteCommand.Of("echo", h.Name), CancellationToken.None)).Stdout.Trim(),
                            Read: await h.DownloadAsync(server.HostPublicKeyPath, CancellationToken.None))));

                    Assert.All(answers, a => Assert.Equal(a.Name, a.Echo));
                    Assert.All(answers, a => Assert.Equal(key, a.Read));
                }

                Assert.True(watch.Most is 1 or 2, $"{watch.Most} connections open at once: {watch.AtMost}");
            }

            Assert.Equal(2, pool.Peak);
            Assert.True(pool.Reopened >= 6, $"{pool.Reopened} reconnections");
            Assert.Equal(2, TcpConnections.Count(server.Port));
            Assert.Equal(6 + pool.Reopened, await server.LoginsAsync(6 + pool.Reopened));
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }

        Assert.Equal(0, TcpConnections.Count(server.Port));
    }

    [Fact]
    public async Task A_host_whose_key_changed_while_it_was_closed_is_refused_on_reconnect_even_when_known_hosts_trusts_the_new_key()
    {
        using var keySource = SshdServer.Start(sshd.AuthorizedKeys);
        var original = SshdServer.Start(sshd.AuthorizedKeys);
        var (port, firstKey) = (original.Port, original.HostKeyFingerprint);
        // known_hosts trusts both keys for the address: only the pin of the run's first connection tells them apart.
        await File.WriteAllLinesAsync(KnownHosts,
        [
            original.KnownHostsLine,
            $"[127.0.0.1]:{port} ssh-ed25519 {keySource.HostPublicKey}",
            sshd.Server.KnownHostsLine,
        ]);
        var trust = new HostKeyTrust(KnownHosts, acceptNew: false, Logger.None);
        var pool = new ConnectionPool(1, Logger.None);
        IRemoteHost moved, other;
        try
        {
            moved = await pool.ConnectAsync(ct => Connect(original, "moved", trust, ct), CancellationToken.None);
            other = await pool.ConnectAsync(ct => Connect(sshd.Server, "other", trust, ct), CancellationToken.None);
        }
        finally
        {
            // The same address and port then answer with the other key.
            original.Dispose();
        }

        await using var closeMoved = moved;
        await using var closeOther = other;
        using var impostor = SshdServer.Start(sshd.AuthorizedKeys, port: port, hostKeyDirectory: keySource.Directory);

        var error = await Assert.ThrowsAsync<HostReconnectException>(() => moved.RunAsync(RemoteCommand.Of("true"), CancellationToken.None));

        Assert.Equal("moved", error.Host);
        Assert.StartsWith($"moved: cannot connect again (its idle connection was closed to keep at most 1 open): HOST KEY CHANGED for [127.0.0.1]:{port} during this run: "
            + $"it presented {firstKey} when first connected, now {impostor.HostKeyFingerprint}", error.Message, StringComparison.Ordinal);
        Assert.IsType<HostKeyVerificationException>(error.InnerException);
        // The same trust accepts that key on a first connection: the pin refused it.
        await using (var fresh = await Connect(impostor, "moved", trust, CancellationToken.None))
        {
            Assert.True((await fresh.RunAsync(RemoteCommand.Of("true"), CancellationToken.None)).Succeeded);
        }

        Assert.Equal("other", (await other.RunAsync(RemoteCommand.Of("echo", "other"), CancellationToken.None)).Stdout.Trim());
    }

    [Fact]
    public async Task A_reconnected_host_logs_in_and_uses_sudo_with_the_secrets_read_at_its_first_connection()
    {
        var password = Path.Combine(_dir, "password");
        File.Copy(sshd.PasswordFile, password);
        var settings = sshd.PasswordSettings("pw-node") with { Password = SecretSource.FromFile(password) };
        var pool = new ConnectionPool(1, Logger.None);
        var logs = new LogCapture();
        await using var host = await pool.ConnectAsync(
            async ct => await SshHost.ConnectAsync(settings, sshd.Trust(), new SecretRedactor(), logs.Logger, ct), CancellationToken.None);
        await using var other = await pool.ConnectAsync(ct => Connect(sshd.Server, "other", sshd.Trust(), ct), CancellationToken.None);
        File.Delete(password);

        var root = await host.RunAsync(new RemoteCommand(["id", "-u"], sudo: true), CancellationToken.None);

        Assert.Equal(1, pool.Reopened);
        Assert.Equal("0", root.Stdout.Trim());
        Assert.DoesNotContain(sshd.Password, logs.AllText, StringComparison.Ordinal);
        Assert.Contains(logs.Events, e => e.MessageTemplate.Text == "{Host}: connected again as {User}@{Address}:{Port}");
    }

    [Fact]
    public async Task A_connection_the_host_forgot_is_found_closed_and_the_next_command_runs_on_a_new_connection()
    {
        // The host "reboots" under an idle connection (the relay forgets it; the keep-alive finds out), and is back by the next
        // command: the command, never sent on the dead connection, runs on a new one, verified like the first.
        using var path = new ForgetfulRelay(sshd.Server.Address, sshd.Server.Port);
        var settings = sshd.Settings("rebooted") with
        {
            Port = path.Port, HostKeyFingerprints = [sshd.Server.HostKeyFingerprint], KeepAliveInterval = TimeSpan.FromMilliseconds(300),
        };
        var logs = new LogCapture();
        var pool = new ConnectionPool(2, logs.Logger);
        SshHost? first = null;
        await using var host = await pool.ConnectAsync(
            async ct => first = await SshHost.ConnectAsync(settings, sshd.Trust(), new SecretRedactor(), logs.Logger, ct), CancellationToken.None);
        Assert.Equal("before", (await host.RunAsync(RemoteCommand.Of("echo", "before"), CancellationToken.None)).Stdout.Trim());

        path.Forget();
        var waited = Stopwatch.StartNew();
        while (first!.IsConnected && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
        }

        path.Remember();
        var after = await host.RunAsync(RemoteCommand.Of("echo", "after"), CancellationToken.None);

        Assert.False(first.IsConnected);
        Assert.Equal("after", after.Stdout.Trim());
        Assert.Equal(1, pool.Reopened);
        Assert.Contains(logs.Events, e => e.MessageTemplate.Text == "{Host}: the connection was found closed before {Operation} was sent; connecting again");
    }

    private async Task<IRemoteHost> Connect(SshdServer server, string name, HostKeyTrust trust, CancellationToken cancellationToken) =>
        await SshHost.ConnectAsync(sshd.Settings(name) with { Address = server.Address, Port = server.Port }, trust, new SecretRedactor(), Logger.None, cancellationToken);
}
