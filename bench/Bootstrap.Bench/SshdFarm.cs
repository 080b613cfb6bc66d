using System.Globalization;
using System.Runtime.InteropServices;
using Bootstrap.Sshd.Testing;

namespace Bootstrap.Bench;

/// <summary>
/// Many real sshd for scripts/bench/fanout, started the way the SSH tests start theirs (<see cref="SshdServer"/>):
/// one per loopback address 127.0.0.2, 127.0.0.3, …, all on one port, each with its own host key.
/// </summary>
internal static class SshdFarm
{
    public static async Task<int> RunAsync(string authorizedKeysDirectory, int count, string knownHostsPath)
    {
        if (count is < 1 or > 250)
        {
            await Console.Error.WriteLineAsync("sshd: between 1 and 250 hosts (127.0.0.2 to 127.0.0.251)");
            return 2;
        }

        using var stop = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        var port = SshdServer.FreePort();
        var servers = new SshdServer?[count];
        try
        {
            // A few at a time: most of a start is ssh-keygen and waiting for the listener.
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = stop.Token }, i =>
                servers[i] = SshdServer.Start(authorizedKeysDirectory, "127.0.0." + (i + 2).ToString(CultureInfo.InvariantCulture), port));
            await File.WriteAllLinesAsync(knownHostsPath, servers.Select(s => s!.KnownHostsLine));
            Console.WriteLine($"port {port}");
            Console.Out.Flush();
            // On a thread of its own: Console.In reads synchronously, even through its async methods.
            var endOfInput = Task.Run(() => Console.In.ReadToEnd(), CancellationToken.None);
            await Task.WhenAny(endOfInput, Task.Delay(Timeout.Infinite, stop.Token));
            return 0;
        }
        catch (OperationCanceledException)
        {
            return 0;
        }
        finally
        {
            Parallel.ForEach(servers, new ParallelOptions { MaxDegreeOfParallelism = 8 }, s => s?.Dispose());
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }
}
