using System.Diagnostics;
using System.Globalization;
using Bootstrap.Bench;
using Bootstrap.Core.Remote;
using Bootstrap.Ssh;
using Bootstrap.Ssh.HostKeys;
using Bootstrap.Sshd.Testing;
using Serilog.Core;

// Measures the SSH transport for scripts/bench/ssh-upload, scripts/bench/fanout and scripts/bench/upload; prints one "name seconds" line per figure.
//   upload  ADDRESS PORT USER KEY KNOWN_HOSTS FILE REMOTE_DIR RUNS
//   fanout  ADDRESS PORT USER KEY KNOWN_HOSTS HOSTS RUNS [COMMAND...]   (default command: true)
//   sshd    AUTHORIZED_KEYS_DIR HOSTS KNOWN_HOSTS
//           starts HOSTS sshd on 127.0.0.2, 127.0.0.3, … (one port, a host key each), writes their known_hosts,
//           prints "port N" when all listen, and stops them all on SIGTERM, SIGINT or the end of its stdin
//   touch   PORT USER KEY KNOWN_HOSTS CONCURRENCY ADDRESS...
//           connects to every address, CONCURRENCY at a time, and runs `true` on each: the floor under a fan-out
//   install PORT USER KEY KNOWN_HOSTS ROOT ADDRESS[,ADDRESS…] FILE...
//           the artifacts phase's apply on fresh hosts (Install.cs); prints "install seconds cpu-seconds encryption"
//           (BENCH_LOG=1: every remote step, timed, on standard error)
//   transfer ADDRESS PORT USER KEY KNOWN_HOSTS FILE REMOTE_DIR RUNS [CIPHER...]
//           plain SSH.NET: FILE streamed into dd's standard input on one channel, with each cipher (or SSH.NET's whole default offer: "default")
if (args.Length >= 1 && args[0] == "sshd" && args.Length == 4)
{
    return await SshdFarm.RunAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args[3]);
}

if (args.Length >= 8 && args[0] == "install")
{
    return await Install.RunAsync(int.Parse(args[1], CultureInfo.InvariantCulture), args[2], args[3], args[4], args[5], args[6].Split(','), args[7..]);
}

if (args.Length >= 9 && args[0] == "transfer")
{
    return await Transfer.RunAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args[3], args[4], args[5], args[6], args[7],
        int.Parse(args[8], CultureInfo.InvariantCulture), args[9..]);
}

if (args.Length >= 7 && args[0] == "touch")
{
    var touchTrust = new HostKeyTrust(args[4], acceptNew: false, Logger.None);
    var touchSettings = args[6..].Select(a => new SshHostSettings
    {
        Name = a, Address = a, Port = int.Parse(args[1], CultureInfo.InvariantCulture), User = args[2], PrivateKeyPath = args[3],
    }).ToList();
    var concurrency = int.Parse(args[5], CultureInfo.InvariantCulture);
    var touched = (await SshFanOut.ConnectAllAsync(touchSettings, touchTrust, new SecretRedactor(), Logger.None, concurrency, CancellationToken.None)).ValuesOrThrow();
    try
    {
        (await HostFanOut.RunAsync(touched.Cast<IRemoteHost>().ToList(), (h, t) => h.RunAsync(RemoteCommand.Of("true"), t), concurrency, CancellationToken.None)).ValuesOrThrow();
    }
    finally
    {
        foreach (var host in touched)
        {
            await host.DisposeAsync();
        }
    }

    return 0;
}

if (args.Length < 7)
{
    await Console.Error.WriteLineAsync("usage: upload ADDRESS PORT USER KEY KNOWN_HOSTS FILE REMOTE_DIR RUNS | fanout ADDRESS PORT USER KEY KNOWN_HOSTS HOSTS RUNS"
        + " | sshd AUTHORIZED_KEYS_DIR HOSTS KNOWN_HOSTS | touch PORT USER KEY KNOWN_HOSTS CONCURRENCY ADDRESS...");
    return 2;
}

var (mode, address, port, user, key, knownHosts) = (args[0], args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args[3], args[4], args[5]);
var trust = new HostKeyTrust(knownHosts, acceptNew: false, Logger.None);
var redactor = new SecretRedactor();
SshHostSettings Host(string name) => new() { Name = name, Address = address, Port = port, User = user, PrivateKeyPath = key };
static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.000000", CultureInfo.InvariantCulture);

if (mode == "upload")
{
    var (file, remoteDir, runs) = (args[6], args[7], int.Parse(args[8], CultureInfo.InvariantCulture));
    await using var host = await SshHost.ConnectAsync(Host("bench"), trust, redactor, Logger.None, CancellationToken.None);
    // Warm up the JIT on a small file.
    await host.UploadAsync("warm-up"u8.ToArray(), new FileSpec($"{remoteDir}/warm-up"), CancellationToken.None);
    for (var run = 1; run <= runs; run++)
    {
        var target = new FileSpec($"{remoteDir}/bootstrap-{run}.bin");
        var clock = Stopwatch.StartNew();
        await using (var content = File.OpenRead(file))
        {
            await host.UploadAsync(content, target, CancellationToken.None);
        }

        Console.WriteLine($"upload {Seconds(clock.Elapsed)}");
        await host.RunCheckedAsync(RemoteCommand.Of("rm", "-f", "--", target.Path), redactor, CancellationToken.None);
    }

    return 0;
}

if (mode == "fanout")
{
    var (count, runs) = (int.Parse(args[6], CultureInfo.InvariantCulture), int.Parse(args[7], CultureInfo.InvariantCulture));
    var command = new RemoteCommand(args.Length > 8 ? args[8..] : ["true"]);
    var settings = Enumerable.Range(1, count).Select(i => Host("node" + i)).ToList();
    var connected = (await SshFanOut.ConnectAllAsync(settings, trust, redactor, Logger.None, count, CancellationToken.None)).ValuesOrThrow();
    try
    {
        var one = new List<IRemoteHost> { connected[0] };
        var all = connected.Cast<IRemoteHost>().ToList();
        // Wall time, this process's CPU time, and how many of the machine's cores were busy (from /proc/stat):
        // on one machine the "hosts" share its cores with the client, so a CPU-bound command cannot scale past them.
        async Task<(TimeSpan Wall, TimeSpan ClientCpu, double BusyCores)> Time(IReadOnlyList<IRemoteHost> hosts)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var busy = BusyJiffies();
            var clock = Stopwatch.StartNew();
            // Repeated, so that the CPU counters (10 ms ticks) measure something; the figures are per batch.
            const int Batches = 20;
            for (var i = 0; i < Batches; i++)
            {
                (await HostFanOut.RunAsync(hosts, (h, t) => h.RunAsync(command, t), hosts.Count, CancellationToken.None)).ValuesOrThrow();
            }

            var wall = clock.Elapsed;
            return (wall / Batches, (Process.GetCurrentProcess().TotalProcessorTime - cpu) / Batches, (BusyJiffies() - busy) / 100.0 / wall.TotalSeconds);
        }

        void Print(string name, (TimeSpan Wall, TimeSpan ClientCpu, double BusyCores) t) =>
            Console.WriteLine($"{name} {Seconds(t.Wall)} {Seconds(t.ClientCpu)} {t.BusyCores.ToString("0.00", CultureInfo.InvariantCulture)}");

        await Time(all);
        for (var run = 1; run <= runs; run++)
        {
            Print("command-1", await Time(one));
            Print($"command-{count}", await Time(all));
        }
    }
    finally
    {
        foreach (var host in connected)
        {
            await host.DisposeAsync();
        }
    }

    return 0;
}

await Console.Error.WriteLineAsync($"unknown mode {mode}");
return 2;

// Jiffies (1/100 s) the machine's CPUs spent not idle, from the first line of /proc/stat.
static long BusyJiffies()
{
    var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
    return fields.Take(8).Sum() - fields[3] - fields[4];
}
