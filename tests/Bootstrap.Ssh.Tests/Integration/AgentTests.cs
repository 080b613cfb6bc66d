using System.Diagnostics;
using Bootstrap.Core.Remote;
using Bootstrap.Ssh.Agent;
using Bootstrap.Ssh.HostKeys;
using Bootstrap.Ssh.Tests.Infrastructure;

namespace Bootstrap.Ssh.Tests.Integration;

/// <summary>
/// Logging in with keys held by a real OpenSSH ssh-agent the test starts: the key files are deleted after
/// ssh-add, so only the agent can sign; the sshd refuses SHA-1 ssh-rsa signatures.
/// </summary>
[Collection(SshdCollection.Name)]
[Trait("Category", "Sshd")]
public sealed class AgentTests : IDisposable
{
    private readonly SshdFixture _sshd;
    private readonly string _dir = Directory.CreateTempSubdirectory("bootstrap-agent-").FullName;
    private readonly Process _agent;
    private readonly SshdServer _server;

    public AgentTests(SshdFixture sshd)
    {
        _sshd = sshd;
        Socket = Path.Combine(_dir, "agent.sock");
        _agent = Process.Start(new ProcessStartInfo("ssh-agent") { ArgumentList = { "-D", "-a", Socket }, RedirectStandardOutput = true })!;
        var waited = Stopwatch.StartNew();
        while (!File.Exists(Socket) && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(20);
        }

        var keys = Directory.CreateDirectory(Path.Combine(_dir, "authorized_keys")).FullName;
        File.WriteAllText(Path.Combine(keys, SshdFixture.RootUser), string.Empty);
        _server = SshdServer.Start(keys, extraConfig: "Subsystem sftp internal-sftp\nPubkeyAcceptedAlgorithms ssh-ed25519,rsa-sha2-256,rsa-sha2-512");
        AuthorizedKeys = Path.Combine(keys, SshdFixture.RootUser);
        File.WriteAllText(Path.Combine(_dir, "known_hosts"), $"[{_server.Address}]:{_server.Port} ssh-ed25519 {_server.HostPublicKey}\n");
    }

    private string Socket { get; }

    private string AuthorizedKeys { get; }

    public void Dispose()
    {
        _server.Dispose();
        _agent.Kill();
        _agent.WaitForExit();
        _agent.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData("ed25519")]
    [InlineData("rsa")]
    public async Task A_key_only_the_agent_holds_logs_in(string type)
    {
        AddToAgentAndForget(type, authorize: true);

        await using var host = await ConnectAsync(Settings());

        Assert.True(host.IsRoot);
        Assert.Equal("ok\n", (await host.RunAsync(RemoteCommand.Of("echo", "ok"), CancellationToken.None)).Stdout);
        Assert.Empty(Directory.GetFiles(_dir, "id_*"));
    }

    [Fact]
    public void An_rsa_key_is_offered_with_sha2_signatures_only_and_the_agent_signs_with_the_one_asked()
    {
        AddToAgentAndForget("rsa", authorize: false);
        var agent = new SshAgentClient(Socket);
        var key = AgentKey.From(agent, Assert.Single(agent.ListIdentities()))!;

        Assert.Equal(["rsa-sha2-512", "rsa-sha2-256"], key.HostKeyAlgorithms.Select(a => a.Name));
        Assert.All(key.HostKeyAlgorithms, algorithm =>
        {
            var signature = algorithm.Sign("data"u8.ToArray());
            Assert.Equal(algorithm.Name, HostKeyFingerprint.KeyType(signature));
        });
    }

    [Fact]
    public async Task When_the_configured_key_is_refused_the_agents_keys_are_tried_next()
    {
        AddToAgentAndForget("ed25519", authorize: true);

        await using var host = await ConnectAsync(Settings() with { PrivateKeyPath = _sshd.RsaKey });

        Assert.True(host.IsRoot);
    }

    [Fact]
    public async Task An_empty_agent_and_no_other_credential_is_an_error_naming_the_host_and_socket()
    {
        var error = await Assert.ThrowsAsync<SshConnectException>(() => ConnectAsync(Settings()));

        Assert.True(error.IsAuthenticationFailure);
        Assert.Equal($"agent1: no private key or password is configured, and ssh-agent at {Socket} holds no usable key (add one with ssh-add).", error.Message);
    }

    private SshHostSettings Settings() => _sshd.Settings("agent1") with { Port = _server.Port, PrivateKeyPath = null, AgentSocket = Socket };

    private Task<SshHost> ConnectAsync(SshHostSettings settings) =>
        SshHost.ConnectAsync(settings, new HostKeyTrust(Path.Combine(_dir, "known_hosts"), acceptNew: false, Serilog.Core.Logger.None),
            new SecretRedactor(), Serilog.Core.Logger.None, CancellationToken.None);

    /// <summary>Makes a key, gives it to the agent, optionally authorizes it, then deletes both key files.</summary>
    private void AddToAgentAndForget(string type, bool authorize)
    {
        var path = Path.Combine(_dir, "id_" + type);
        string[] size = type == "rsa" ? ["-b", "3072"] : [];
        Proc.Run("ssh-keygen", ["-q", "-t", type, .. size, "-N", "", "-C", "agent-" + type, "-f", path]);
        var add = new ProcessStartInfo("ssh-add") { ArgumentList = { path }, RedirectStandardError = true, Environment = { ["SSH_AUTH_SOCK"] = Socket } };
        using (var process = Process.Start(add)!)
        {
            process.WaitForExit();
            Assert.Equal(0, process.ExitCode);
        }

        if (authorize)
        {
            File.AppendAllText(AuthorizedKeys, File.ReadAllText(path + ".pub"));
        }

        File.Delete(path);
        File.Delete(path + ".pub");
    }
}
