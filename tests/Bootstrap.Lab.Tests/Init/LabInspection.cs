using System.Diagnostics;
using System.Globalization;
using Bootstrap.Core.Remote;
using Bootstrap.Lab.Tests.Lab;
using Bootstrap.Ssh;

namespace Bootstrap.Lab.Tests.Init;

/// <summary>Reads the lab machines and the API from outside Bootstrap's own code paths: ssh commands, kubectl, openssl.</summary>
internal static class LabInspection
{
    public static readonly string[] ControlPlanes = ["cp1", "cp2", "cp3"];
    public static readonly string[] LoadBalancers = ["lb1", "lb2"];
    public const string Vip = "192.168.56.10";

    public static LabMachine Machine(string name) => LabMachine.All.Single(m => m.Name == name);

    /// <summary>
    /// Every file, directory and link under /etc, /var/lib and /usr/local with mode, owner, size, mtime and
    /// (for files) sha256. /var/lib/systemd is left out: systemd itself updates its timer stamps and random seed.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string>> TreeAsync(LabPaths paths, LabMachine machine)
    {
        string[] roots = ["/etc", "/var/lib", "/usr/local"];
        string[] prune = ["-xdev", "-path", "/var/lib/systemd", "-prune", "-o"];
        var listing = await LabMachines.RunOrFailAsync(paths, machine, ["find", .. roots, .. prune, "-printf", "%p %m %u %g %y %s %T@ %l\\n"]);
        var sums = await LabMachines.RunOrFailAsync(paths, machine, ["find", .. roots, .. prune, "-type", "f", "-exec", "sha256sum", "{}", "+"]);
        var tree = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            tree[line.Split(' ', 2)[0]] = line;
        }

        foreach (var line in sums.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = line[66..];
            tree[path] = tree.GetValueOrDefault(path) + " sha256=" + line[..64];
        }

        return tree;
    }

    public static IEnumerable<string> Differences(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after) =>
        before.Keys.Union(after.Keys)
            .Where(p => before.GetValueOrDefault(p) != after.GetValueOrDefault(p))
            .Order(StringComparer.Ordinal)
            .Select(p => $"{p}: {before.GetValueOrDefault(p) ?? "(absent)"} -> {after.GetValueOrDefault(p) ?? "(absent)"}");

    /// <summary>When each unit last became active (unix seconds; 0 when never), by unit name.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> StartTimesAsync(LabPaths paths, LabMachine machine, params string[] units)
    {
        // One unit per call: with several units, systemctl separates their values with blank lines.
        var times = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var unit in units)
        {
            var value = (await LabMachines.RunOrFailAsync(paths, machine, "systemctl", "show", "--timestamp=unix", "-p", "ActiveEnterTimestamp", "--value", unit)).Trim();
            times[unit] = value.StartsWith('@') ? long.Parse(value[1..], CultureInfo.InvariantCulture) : 0;
        }

        return times;
    }

    /// <summary>
    /// When each unit last became active (unix seconds; 0 when never) and how often systemd restarted it by itself after its process
    /// exited (<c>NRestarts</c>, its <c>Restart=</c> policy; a <c>systemctl restart</c>, which is how Bootstrap restarts, never counts).
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, UnitStart>> StartsAsync(LabPaths paths, LabMachine machine, params string[] units)
    {
        var starts = new Dictionary<string, UnitStart>(StringComparer.Ordinal);
        foreach (var unit in units)
        {
            var values = (await LabMachines.RunOrFailAsync(paths, machine, "systemctl", "show", "--timestamp=unix", "-p", "ActiveEnterTimestamp", "-p", "NRestarts", unit))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(line => line.Split('=', 2))
                .ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : string.Empty, StringComparer.Ordinal);
            var since = values.GetValueOrDefault("ActiveEnterTimestamp") is ['@', .. var seconds] ? long.Parse(seconds, CultureInfo.InvariantCulture) : 0;
            starts[unit] = new UnitStart(since, int.Parse(values["NRestarts"], CultureInfo.InvariantCulture));
        }

        return starts;
    }

    /// <summary>systemd's "Started" message (a start or a restart of a unit, done), by its journal message id.</summary>
    private const string UnitStartedMessage = "39f53479d3a045ac8e11786248231fbf";

    /// <summary>systemd's "Scheduled restart job" message: its own restart of a unit whose process exited (<c>Restart=</c>).</summary>
    private const string RestartScheduledMessage = "5eb03494b6584870a536b337290809b3";

    /// <summary>
    /// How many times <paramref name="unit"/> was started or restarted on <paramref name="machine"/> since <paramref name="since"/> other than by
    /// systemd itself after its process exited (a scheduler that loses its lease on the loaded lab exits and comes back so), from the
    /// machine's journal: its "Started" messages less its "Scheduled restart job" ones.
    /// </summary>
    public static async Task<int> StartedSinceAsync(LabPaths paths, LabMachine machine, string unit, DateTimeOffset since)
    {
        var journal = await LabMachines.RunOrFailAsync(
            paths, machine, "journalctl", "--quiet", "-u", unit, "--since", $"@{since.ToUnixTimeSeconds()}", "-o", "json", "--output-fields=MESSAGE_ID,JOB_RESULT");
        var messages = journal.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using var entry = System.Text.Json.JsonDocument.Parse(line);
            var root = entry.RootElement;
            var id = root.TryGetProperty("MESSAGE_ID", out var m) ? m.GetString() : null;
            return id == UnitStartedMessage && !(root.TryGetProperty("JOB_RESULT", out var r) && r.GetString() == "done") ? null : id;
        }).ToList();
        return messages.Count(id => id == UnitStartedMessage) - messages.Count(id => id == RestartScheduledMessage);
    }

    public static async Task<ProcessResult> KubectlAsync(LabPaths paths, string kubeconfig, params string[] args) =>
        await LocalProcess.RunAsync(Path.Combine(paths.Artifacts, "kubectl"), ["--kubeconfig", kubeconfig, "--request-timeout=5s", .. args], TimeSpan.FromSeconds(30), null, LabScript.RepoRoot);

    /// <summary>Runs <paramref name="attempt"/> until it returns true or <paramref name="timeout"/> passes; returns the time it took, or null.</summary>
    public static async Task<TimeSpan?> UntilAsync(TimeSpan timeout, Func<Task<bool>> attempt, TimeSpan? interval = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (await attempt())
            {
                return clock.Elapsed;
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(500));
        }

        return null;
    }

    /// <summary>The machine (of <paramref name="candidates"/>, default both load balancers, all running) whose eth0 holds the virtual IP, or null.</summary>
    public static async Task<string?> VipHolderAsync(LabPaths paths, params string[] candidates)
    {
        foreach (var name in candidates.Length > 0 ? candidates : LoadBalancers)
        {
            CommandResult result;
            try
            {
                result = await LabMachines.RunAsync(paths, Machine(name), "ip", "-4", "-o", "addr", "show", "dev", "eth0");
            }
            catch (SshConnectException e)
            {
                var status = await LabScript.RunAsync(TimeSpan.FromSeconds(30), null, "status");
                var console = Path.Combine(paths.Run, "machines", name, "console.log");
                var tail = File.Exists(console) ? string.Join('\n', File.ReadLines(console).TakeLast(30)) : "(no console log)";
                Assert.Fail($"{name} does not answer SSH: {e.Message}\n{status.Stdout}\n{name}'s console:\n{tail}");
                throw;
            }

            if (result.Succeeded && result.Stdout.Contains($" {Vip}/", StringComparison.Ordinal))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>The sha256 fingerprint of the certificate an endpoint serves (openssl, outside Bootstrap).</summary>
    public static async Task<string> ServedCertificateAsync(string hostPort)
    {
        var served = await LocalProcess.RunAsync("sh", ["-c", $"openssl s_client -connect {hostPort} </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256"],
            TimeSpan.FromSeconds(30), null, LabScript.RepoRoot);
        Assert.True(served.ExitCode == 0 && served.Stdout.Contains('=', StringComparison.Ordinal), $"no certificate from {hostPort}: {served.Output}");
        return served.Stdout.Trim().Split('=', 2)[1];
    }

    public static async Task<string> FileCertificateAsync(string path)
    {
        var local = await LocalProcess.RunAsync("openssl", ["x509", "-in", path, "-noout", "-fingerprint", "-sha256"], TimeSpan.FromSeconds(30), null, LabScript.RepoRoot);
        Assert.True(local.ExitCode == 0, local.Output);
        return local.Stdout.Trim().Split('=', 2)[1];
    }
}

/// <summary>A unit's last start (unix seconds) and how often systemd restarted it by itself (<see cref="LabInspection.StartsAsync"/>).</summary>
internal sealed record UnitStart(long Since, int Restarts);
