using Bootstrap.Core.Remote;
using Bootstrap.Ssh.Tests.Infrastructure;
using Serilog.Core;

namespace Bootstrap.Ssh.Tests.Integration;

[Collection(SshdCollection.Name)]
[Trait("Category", "Sshd")]
public sealed class FanOutTests(SshdFixture sshd)
{
    [Fact]
    public async Task One_unreachable_host_is_named_and_the_others_still_return_results()
    {
        SshHostSettings[] hosts =
        [
            sshd.Settings("cp1"),
            sshd.Settings("cp2") with { Port = 1, ConnectAttempts = 1 },
            sshd.Settings("cp3"),
            sshd.Settings("worker1"),
        ];

        var connected = await SshFanOut.ConnectAllAsync(hosts, sshd.Trust(), new SecretRedactor(), Logger.None, maxConcurrency: 2, CancellationToken.None);
        try
        {
            var live = connected.Where(r => r.Succeeded).Select(r => (IRemoteHost)r.Value!).ToList();
            var outputs = await HostFanOut.RunAsync(live, async (host, token) =>
                (await host.RunAsync(RemoteCommand.Of("echo", host.Name), token)).Stdout.Trim(), maxConcurrency: 8, CancellationToken.None);

            Assert.Equal(["cp1", "cp2", "cp3", "worker1"], connected.Select(r => r.Host));
            Assert.Equal([true, false, true, true], connected.Select(r => r.Succeeded));
            Assert.StartsWith("cp2: cannot connect", connected[1].Error!.Message, StringComparison.Ordinal);
            Assert.Equal(["cp1", "cp3", "worker1"], outputs.ValuesOrThrow());
            var error = Assert.Throws<HostFanOutException>(() => connected.ValuesOrThrow());
            Assert.Equal(["cp2"], error.FailedHosts);
        }
        finally
        {
            foreach (var result in connected.Where(r => r.Succeeded))
            {
                await result.Value!.DisposeAsync();
            }
        }
    }
}
