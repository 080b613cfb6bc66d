using Bootstrap.Core.Remote;
using Bootstrap.Ssh.HostKeys;
using Bootstrap.Ssh.Tests.Infrastructure;
using Serilog.Core;

namespace Bootstrap.Ssh.Tests.Integration;

[Collection(SshdCollection.Name)]
[Trait("Category", "Sshd")]
public sealed class HostKeyTests(SshdFixture sshd) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bootstrap-hostkeys-").FullName;

    private string KnownHosts => Path.Combine(_dir, "known_hosts");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task An_unknown_host_key_is_refused_by_default()
    {
        using var server = SshdServer.Start(sshd.AuthorizedKeys);

        var error = await Assert.ThrowsAsync<HostKeyVerificationException>(() => Connect(server, acceptNew: false));

        Assert.StartsWith("stranger: unknown host key " + server.HostKeyFingerprint, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(KnownHosts));
    }

    [Fact]
    public async Task Accept_new_records_the_key_which_is_then_trusted_without_it()
    {
        using var server = SshdServer.Start(sshd.AuthorizedKeys);

        await (await Connect(server, acceptNew: true)).DisposeAsync();
        await using var again = await Connect(server, acceptNew: false);

        Assert.Equal($"[127.0.0.1]:{server.Port} ssh-ed25519 {server.HostPublicKey}\n", await File.ReadAllTextAsync(KnownHosts));
        Assert.True((await again.RunAsync(RemoteCommand.Of("true"), CancellationToken.None)).Succeeded);
    }

    [Fact]
    public async Task A_changed_key_is_refused_with_both_fingerprints_even_with_accept_new()
    {
        string oldFingerprint;
        int port;
        using (var original = SshdServer.Start(sshd.AuthorizedKeys))
        {
            await (await Connect(original, acceptNew: true)).DisposeAsync();
            oldFingerprint = original.HostKeyFingerprint;
            port = original.Port;
        }

        // The same address and port now answer with a new host key.
        using var impostor = SshdServer.Start(sshd.AuthorizedKeys, port: port);
        var error = await Assert.ThrowsAsync<HostKeyVerificationException>(() => Connect(impostor, acceptNew: true));

        Assert.NotEqual(oldFingerprint, impostor.HostKeyFingerprint);
        Assert.StartsWith($"stranger: HOST KEY CHANGED for [127.0.0.1]:{port}: expected {oldFingerprint}", error.Message, StringComparison.Ordinal);
        Assert.Contains("presented " + impostor.HostKeyFingerprint, error.Message, StringComparison.Ordinal);
        Assert.Single(await File.ReadAllLinesAsync(KnownHosts));
    }

    [Fact]
    public async Task A_hashed_entry_made_by_ssh_keygen_is_trusted()
    {
        using var server = SshdServer.Start(sshd.AuthorizedKeys);
        await File.WriteAllTextAsync(KnownHosts, $"[127.0.0.1]:{server.Port} ssh-ed25519 {server.HostPublicKey}\n");
        Proc.Run("ssh-keygen", "-H", "-f", KnownHosts);
        Assert.StartsWith("|1|", await File.ReadAllTextAsync(KnownHosts), StringComparison.Ordinal);

        await using var host = await Connect(server, acceptNew: false);

        Assert.True((await host.RunAsync(RemoteCommand.Of("true"), CancellationToken.None)).Succeeded);
    }

    [Fact]
    public async Task A_pinned_fingerprint_is_trusted_and_a_wrong_pin_is_refused()
    {
        using var server = SshdServer.Start(sshd.AuthorizedKeys);
        var trust = new HostKeyTrust(knownHostsPath: null, acceptNew: false, Logger.None);
        var settings = Settings(server);

        await (await SshHost.ConnectAsync(settings with { HostKeyFingerprints = [server.HostKeyFingerprint] }, trust, new SecretRedactor(), Logger.None, CancellationToken.None)).DisposeAsync();
        var error = await Assert.ThrowsAsync<HostKeyVerificationException>(() =>
            SshHost.ConnectAsync(settings with { HostKeyFingerprints = [sshd.Server.HostKeyFingerprint] }, trust, new SecretRedactor(), Logger.None, CancellationToken.None));

        Assert.Equal([sshd.Server.HostKeyFingerprint], error.ExpectedFingerprints);
        Assert.Equal(server.HostKeyFingerprint, error.PresentedFingerprint);
    }

    private SshHostSettings Settings(SshdServer server) =>
        sshd.Settings("stranger") with { Address = server.Address, Port = server.Port };

    private Task<SshHost> Connect(SshdServer server, bool acceptNew) =>
        SshHost.ConnectAsync(Settings(server), new HostKeyTrust(KnownHosts, acceptNew, Logger.None), new SecretRedactor(), Logger.None, CancellationToken.None);
}
