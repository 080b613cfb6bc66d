using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;
using Bootstrap.Ssh;
using Bootstrap.Ssh.HostKeys;
using Serilog;
using Serilog.Core;

namespace Bootstrap.Bench;

/// <summary>
/// The artifacts phase's apply on a fresh host, for scripts/bench/upload: every file staged by its digest and put in place
/// with a copy on the host (<see cref="FileConvergence"/>'s plan and changes, applied in order the way the runner applies a
/// target's changes), on every host at once. The paths are under a directory of each host's own
/// (<c>ROOT/ADDRESS/bin</c>, <c>ROOT/ADDRESS/store</c>), as all the hosts are this machine.
/// </summary>
internal static class Install
{
    // Enough of a cluster file for a PhaseContext: the bench plans and applies files only.
    private const string Cluster = """
        apiVersion: bootstrap.dev/v1alpha1
        kind: Cluster
        metadata: { name: upload-bench }
        spec:
          kubernetesVersion: v1.20.2
          controlPlaneEndpoint: { host: 127.0.0.1 }
          networking: { hostSubnet: 127.0.0.0/8, podSubnet: 10.244.0.0/16, serviceSubnet: 10.96.0.0/12 }
          loadBalancer: { type: external }
          artifacts: { directory: /tmp }
          hosts:
            - { name: cp, address: 127.0.0.2, roles: [control-plane] }
        """;

    public static async Task<int> RunAsync(int port, string user, string key, string knownHosts, string root, IReadOnlyList<string> addresses, IReadOnlyList<string> files)
    {
        var loaded = ClusterConfigLoader.Load(Cluster, "bench.yaml", "/", "/root");
        var config = loaded.Config ?? throw new InvalidOperationException("the bench's cluster file does not load: " + string.Join("; ", loaded.Diagnostics));
        var trust = new HostKeyTrust(knownHosts, acceptNew: false, Logger.None);

        // BENCH_LOG=1: every remote step with its time, on standard error (where the time goes, host by host).
        ILogger log = Environment.GetEnvironmentVariable("BENCH_LOG") == "1"
            ? new LoggerConfiguration().MinimumLevel.Debug().WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss.fff} {Message:lj}{NewLine}", standardErrorFromLevel: Serilog.Events.LogEventLevel.Verbose).CreateLogger()
            : Logger.None;
        var redactor = new SecretRedactor();
        var settings = addresses.Select(a => new SshHostSettings { Name = a, Address = a, Port = port, User = user, PrivateKeyPath = key }).ToList();
        var hosts = (await SshFanOut.ConnectAllAsync(settings, trust, redactor, log, settings.Count, CancellationToken.None)).ValuesOrThrow();
        try
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();

            // The CLI checks each local artifact against its digest once per run (ArtifactSource), then uploads it to every host.
            var digests = await Task.WhenAll(files.Select(async f =>
            {
                await using var content = File.OpenRead(f);
                return Convert.ToHexStringLower(await SHA256.HashDataAsync(content));
            }));
            await Task.WhenAll(hosts.Select(host => InstallAsync(host, config, redactor, log, $"{root}/{host.Name}", files, digests)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"install {clock.Elapsed.TotalSeconds:0.000} {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0.000} {hosts[0].Encryption}"));
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }

        return 0;
    }

    private static async Task InstallAsync(SshHost host, ClusterConfig config, SecretRedactor redactor, ILogger log, string root, IReadOnlyList<string> files, string[] digests)
    {
        await host.RunCheckedAsync(RemoteCommand.Of("mkdir", "-p", "--", $"{root}/store"), redactor, CancellationToken.None);
        var desired = files.Select((f, i) => new DesiredFile
        {
            Spec = new FileSpec($"{root}/bin/{Path.GetFileName(f)}", Mode: 0b111_101_101),
            Sha256 = digests[i],
            StagePath = $"{root}/store/{Path.GetFileName(f)}-{digests[i][..16]}",
            Open = _ => Task.FromResult<Stream>(File.OpenRead(f)),
        }).ToList();
        await using var run = new PhaseContext
        {
            Config = config,
            Hosts = new Dictionary<string, IRemoteHost>(StringComparer.Ordinal) { [host.Name] = host },
            Redactor = redactor,
            Logger = log,
            ManifestPath = $"{root}/installed-files",
        };
        var view = new HostView(host, redactor, planned: null, run.InstalledFiles);
        var (changes, _) = await FileConvergence.PlanAsync(view, desired, CancellationToken.None);
        var apply = new ApplyContext(run, run.Hosts);
        foreach (var change in changes)
        {
            if (change.Apply is { } action)
            {
                await action(apply, CancellationToken.None);
            }
        }
    }
}
