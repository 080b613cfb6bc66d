using System.Net.Sockets;
using System.Reflection;
using Bootstrap.Core.Remote;
using Bootstrap.Ssh.HostKeys;
using Bootstrap.Ssh.Tests.Infrastructure;
using Renci.SshNet;
using Serilog.Core;

namespace Bootstrap.Ssh.Tests.Integration;

/// <summary>
/// A connection the host drops while commands are being sent on it. sshd drops the whole connection when a channel request (such
/// as the "signal" SSH.NET's cancellation sends) reaches a channel it has freed ("server_input_channel_req: unknown channel N");
/// SSH.NET's send of a command's channel open then fails with the socket's own error, which went through <see cref="SshHost"/>
/// as a bare <see cref="SocketException"/> ("Broken pipe", no host or command named): the lab's upgrade plan failed so in
/// etcd/membership ("cp1: Broken pipe"), with the member's health and status asked at once.
/// </summary>
[Collection(SshdCollection.Name)]
[Trait("Category", "Sshd")]
public sealed class DroppedConnectionTests(SshdFixture sshd)
{
    private const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;

    /// <summary>
    /// sshd dropped the connection (here made to by a "signal" request sent by hand, by reflection, for a channel both sides had closed):
    /// a command being sent at that moment fails naming the host and the command, never with the socket's bare "Broken pipe".
    /// </summary>
    [Fact]
    public async Task A_connection_the_host_drops_fails_the_commands_being_sent_naming_the_host()
    {
        using var server = SshdServer.Start(sshd.AuthorizedKeys);
        var dir = Directory.CreateTempSubdirectory("bootstrap-dropped-").FullName;
        try
        {
            var knownHosts = Path.Combine(dir, "known_hosts");
            await File.WriteAllTextAsync(knownHosts, server.KnownHostsLine + "\n");
            var settings = sshd.Settings("cp1") with { Address = server.Address, Port = server.Port };
            var failures = new List<Exception>();
            var socketErrors = 0;
            for (var round = 0; round < 25 && socketErrors == 0; round++)
            {
                await using var host = await SshHost.ConnectAsync(settings, new HostKeyTrust(knownHosts, acceptNew: false, Logger.None), new SecretRedactor(),
                    Logger.None, CancellationToken.None);
                await SendSignalToAClosedChannelAsync(host);
                var runs = Enumerable.Range(0, 6).Select(async i =>
                {
                    await Task.Delay(i);
                    try
                    {
                        await host.RunAsync(RemoteCommand.Of("echo", "x"), CancellationToken.None);
                        return null;
                    }
                    catch (Exception e)
                    {
                        return e;
                    }
                });
                var roundFailures = (await Task.WhenAll(runs)).OfType<Exception>().ToList();
                failures.AddRange(roundFailures);
                socketErrors += roundFailures.Count(e => e is SocketException || e.InnerException is SocketException);
            }

            Assert.Contains("unknown channel", server.Log, StringComparison.Ordinal);
            Assert.NotEmpty(failures);
            Assert.All(failures, e =>
            {
                Assert.True(e is SshConnectException or ConnectionLostException, e.ToString());
                Assert.StartsWith("cp1: ", e.Message, StringComparison.Ordinal);
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static SshClient Client(SshHost host) => (SshClient)typeof(SshHost).GetField("_ssh", Private)!.GetValue(host)!;

    private static object Session(SshHost host) => typeof(BaseClient).GetProperty("Session", Private)!.GetValue(Client(host))!;

    /// <summary>Runs a command to its end, then sends the "signal" request SSH.NET's cancellation sends, for that command's channel.</summary>
    private static async Task SendSignalToAClosedChannelAsync(SshHost host)
    {
        using var done = Client(host).CreateCommand("true");
        await done.ExecuteAsync();
        var channel = typeof(SshCommand).GetField("_channel", Private)!.GetValue(done)!;
        var remote = (uint)channel.GetType().GetProperty("RemoteChannelNumber", Private)!.GetValue(channel)!;
        var library = typeof(SshClient).Assembly;
        var signal = Activator.CreateInstance(library.GetType("Renci.SshNet.Messages.Connection.SignalRequestInfo")!, Private, null, ["TERM"], null)!;
        var request = Activator.CreateInstance(library.GetType("Renci.SshNet.Messages.Connection.ChannelRequestMessage")!, Private, null, [remote, signal], null)!;
        var session = Session(host);
        // Both closes have crossed by now (sshd has freed the channel).
        await Task.Delay(100);
        session.GetType().GetMethod("SendMessage", Private, [library.GetType("Renci.SshNet.Messages.Message")!])!.Invoke(session, [request]);
    }
}
