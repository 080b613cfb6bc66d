using Bootstrap.Core.Remote;
using Bootstrap.Core.Remote.Facts;
using Bootstrap.Ssh.HostKeys;
using Bootstrap.Ssh.Tests.Infrastructure;
using Serilog.Core;

namespace Bootstrap.Ssh.Tests.Integration;

[Collection(SshdCollection.Name)]
[Trait("Category", "Sshd")]
public sealed class BastionTests(SshdFixture sshd)
{
    [Fact]
    public async Task A_target_reachable_only_from_the_bastion_is_reached_through_it()
    {
        using var network = new IsolatedNetwork();
        using var bastion = SshdServer.Start(sshd.AuthorizedKeys, IsolatedNetwork.BastionAddress, networkNamespace: network.BastionNamespace);
        using var target = SshdServer.Start(sshd.AuthorizedKeys, IsolatedNetwork.TargetAddress, networkNamespace: network.TargetNamespace);
        var knownHosts = Path.Combine(bastion.Directory, "known_hosts");
        await File.WriteAllLinesAsync(knownHosts, [
            $"[{bastion.Address}]:{bastion.Port} ssh-ed25519 {bastion.HostPublicKey}",
            $"[{target.Address}]:{target.Port} ssh-ed25519 {target.HostPublicKey}",
        ]);
        var trust = new HostKeyTrust(knownHosts, acceptNew: false, Logger.None);
        var direct = sshd.Settings("cp1") with { Address = target.Address, Port = target.Port, ConnectTimeout = TimeSpan.FromSeconds(3) };
        var jump = sshd.Settings("jump") with { Address = bastion.Address, Port = bastion.Port };

        var refused = await Assert.ThrowsAsync<SshConnectException>(() =>
            SshHost.ConnectAsync(direct, trust, new SecretRedactor(), Logger.None, CancellationToken.None));
        await using var host = await SshHost.ConnectAsync(direct with { Bastion = jump }, trust, new SecretRedactor(), Logger.None, CancellationToken.None);
        var facts = await HostFactsCollector.GatherAsync(host, ["sshd"], new SecretRedactor(), CancellationToken.None);

        Assert.StartsWith($"cp1: cannot connect to root@{IsolatedNetwork.TargetAddress}", refused.Message.Replace(SshdFixture.RootUser, "root", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal([IsolatedNetwork.TargetAddress], facts.IPv4Addresses);
        Assert.Equal("cp1", facts.Host);
    }
}
