using Bootstrap.Core.Remote;
using Bootstrap.Ssh.HostKeys;
using Bootstrap.Ssh.Tests.Infrastructure;
using Serilog.Core;

namespace Bootstrap.Ssh.Tests.Integration;

/// <summary>What SshAlgorithms' offer negotiates with a real OpenSSH sshd: with its defaults, and with narrower configurations.</summary>
[Collection(SshdCollection.Name)]
[Trait("Category", "Sshd")]
public sealed class EncryptionTests(SshdFixture sshd) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bootstrap-encryption-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task With_OpenSSH_defaults_the_connection_uses_aes128_gcm()
    {
        await using var host = await sshd.ConnectAsync(sshd.Settings());

        Assert.Equal("aes128-gcm@openssh.com", host.Encryption);
    }

    [Fact]
    public async Task A_server_without_gcm_gets_aes_ctr_with_an_encrypt_then_mac_and_uploads_work_over_it()
    {
        using var server = Start("Ciphers chacha20-poly1305@openssh.com,aes256-ctr");
        await using var host = await Connect(server);
        var target = new FileSpec(Path.Combine(_dir, "uploaded"), Mode: 0b110_000_000);

        var result = await host.UploadAsync(new byte[3 << 20], target, CancellationToken.None);

        Assert.Equal("aes256-ctr hmac-sha2-256-etm@openssh.com", host.Encryption);
        Assert.True(result.Changed);
        Assert.Equal(3 << 20, new FileInfo(target.Path).Length);
    }

    [Fact]
    public async Task A_server_taking_only_chacha20_poly1305_gets_it()
    {
        using var server = Start("Ciphers chacha20-poly1305@openssh.com");
        await using var host = await Connect(server);

        Assert.Equal("chacha20-poly1305@openssh.com", host.Encryption);
    }

    [Fact]
    public async Task A_server_taking_only_cbc_modes_is_refused_as_OpenSSH_defaults_refuse_them()
    {
        using var server = Start("Ciphers aes128-cbc,aes256-cbc");

        await AssertRefusedAsync(server);
    }

    [Fact]
    public async Task A_server_taking_only_sha1_macs_gets_the_encrypt_then_mac_one()
    {
        using var server = Start("Ciphers aes128-ctr\nMACs hmac-sha1,hmac-sha1-etm@openssh.com");
        await using var host = await Connect(server);

        Assert.Equal("aes128-ctr hmac-sha1-etm@openssh.com", host.Encryption);
    }

    [Fact]
    public async Task With_OpenSSH_defaults_the_key_exchange_is_the_post_quantum_hybrid_and_the_host_key_ed25519()
    {
        await using var host = await sshd.ConnectAsync(sshd.Settings());

        Assert.Equal("sntrup761x25519-sha512 ssh-ed25519", host.KeyAgreement);
    }

    [Fact]
    public async Task A_server_offering_only_classic_key_exchanges_gets_curve25519()
    {
        using var server = Start("KexAlgorithms curve25519-sha256,ecdh-sha2-nistp256,diffie-hellman-group14-sha1");
        await using var host = await Connect(server);

        Assert.Equal("curve25519-sha256 ssh-ed25519", host.KeyAgreement);
    }

    [Fact]
    public async Task A_server_taking_only_sha1_key_exchanges_is_refused_as_OpenSSH_defaults_refuse_them()
    {
        using var server = Start("KexAlgorithms diffie-hellman-group14-sha1,diffie-hellman-group1-sha1,diffie-hellman-group-exchange-sha1");

        await AssertRefusedAsync(server);
    }

    [Fact]
    public async Task An_RSA_host_key_is_verified_by_a_SHA2_signature_and_a_server_signing_only_with_SHA1_is_refused()
    {
        var keys = Path.Combine(_dir, "rsa-host");
        Directory.CreateDirectory(keys);
        Proc.Run("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", "rsa-host", "-f", Path.Combine(keys, "host_key"));
        var rsa = File.ReadAllText(Path.Combine(keys, "host_key.pub")).Split(' ')[1];

        using (var server = Start(string.Empty, keys, $"ssh-rsa {rsa}"))
        {
            await using var host = await Connect(server);
            Assert.Equal("sntrup761x25519-sha512 rsa-sha2-512", host.KeyAgreement);
        }

        using var sha1Only = Start("HostKeyAlgorithms ssh-rsa", keys, $"ssh-rsa {rsa}");
        await AssertRefusedAsync(sha1Only);
    }

    /// <param name="hostKeys">A directory with the host_key to serve (a new ed25519 key when null), and its known_hosts key type and blob.</param>
    private SshdServer Start(string config, string? hostKeys = null, string? knownKey = null)
    {
        var server = SshdServer.Start(sshd.AuthorizedKeys, hostKeyDirectory: hostKeys, extraConfig: config + "\nSubsystem sftp internal-sftp");
        File.WriteAllText(Path.Combine(_dir, "known_hosts"), (knownKey is null ? server.KnownHostsLine : $"[{server.Address}]:{server.Port} {knownKey}") + "\n");
        return server;
    }

    /// <summary>The connection fails with the host and endpoint named (SSH.NET and the server found nothing in common).</summary>
    private async Task AssertRefusedAsync(SshdServer server)
    {
        var error = await Assert.ThrowsAsync<SshConnectException>(() => Connect(server));
        Assert.StartsWith($"stranger: cannot connect to {SshdFixture.RootUser}@127.0.0.1:{server.Port}", error.Message, StringComparison.Ordinal);
    }

    private Task<SshHost> Connect(SshdServer server) =>
        SshHost.ConnectAsync(
            sshd.Settings("stranger") with { Port = server.Port },
            new HostKeyTrust(Path.Combine(_dir, "known_hosts"), acceptNew: false, Logger.None),
            new SecretRedactor(),
            Logger.None,
            CancellationToken.None);
}
