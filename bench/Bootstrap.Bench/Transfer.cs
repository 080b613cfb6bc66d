using System.Diagnostics;
using System.Globalization;
using Bootstrap.Core.Remote;
using Bootstrap.Ssh.HostKeys;
using Renci.SshNet;
using Serilog.Core;

namespace Bootstrap.Bench;

/// <summary>
/// The SSH transport alone, under the install steps: one file streamed with plain SSH.NET into the standard input of
/// <c>dd</c> on the host, on one command channel as SshHost uploads, once per cipher (the client's offer narrowed to that
/// one cipher, or its whole default offer), with the algorithms negotiated.
/// </summary>
internal static class Transfer
{
    public static async Task<int> RunAsync(string address, int port, string user, string key, string knownHosts, string file, string remoteDirectory, int runs,
        IReadOnlyList<string> ciphers)
    {
        var trust = new HostKeyTrust(knownHosts, acceptNew: false, Logger.None);
        using var privateKey = new PrivateKeyFile(key);
        var offer = new ConnectionInfo(address, port, user, new PrivateKeyAuthenticationMethod(user, privateKey));
        Console.WriteLine($"offer ciphers {string.Join(',', offer.Encryptions.Keys)}");
        Console.WriteLine($"offer macs {string.Join(',', offer.HmacAlgorithms.Keys)}");
        Console.WriteLine($"offer compression {string.Join(',', offer.CompressionAlgorithms.Keys)}");
        foreach (var cipher in ciphers.Count == 0 ? ["default"] : ciphers)
        {
            var info = new ConnectionInfo(address, port, user, new PrivateKeyAuthenticationMethod(user, privateKey));
            if (cipher != "default")
            {
                foreach (var other in info.Encryptions.Keys.Where(k => k != cipher).ToList())
                {
                    info.Encryptions.Remove(other);
                }
            }

            using var ssh = new SshClient(info);
            ssh.HostKeyReceived += (_, e) =>
            {
                trust.Verify(address, address, port, e.HostKey, []);
                e.CanTrust = true;
            };
            await ssh.ConnectAsync(CancellationToken.None);
            var negotiated = $"{info.CurrentClientEncryption} {info.CurrentClientHmacAlgorithm} {info.CurrentClientCompressionAlgorithm}";
            var remote = $"{remoteDirectory}/transfer.bin";
            for (var run = 0; run <= runs; run++)
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                using (var dd = ssh.CreateCommand(RemoteCommand.Of("dd", "of=" + remote, "bs=1M", "status=none").ToShellString()))
                {
                    var running = dd.ExecuteAsync(CancellationToken.None);
                    await using (var input = dd.CreateInputStream())
                    await using (var content = File.OpenRead(file))
                    {
                        await content.CopyToAsync(input, 1 << 16);
                    }

                    await running;
                    if (dd.ExitStatus != 0)
                    {
                        throw new InvalidOperationException($"dd exited {dd.ExitStatus}: {dd.Error}");
                    }
                }

                // Run 0 warms up the JIT and the channel.
                if (run > 0)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"transfer {cipher} {clock.Elapsed.TotalSeconds:0.000} {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0.000} {negotiated}"));
                }
            }

            using var remove = ssh.CreateCommand(RemoteCommand.Of("rm", "-f", "--", remote).ToShellString());
            await remove.ExecuteAsync(CancellationToken.None);
        }

        return 0;
    }
}
