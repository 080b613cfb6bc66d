using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bootstrap.Lab.Tests.Lab;

/// <summary>The real `bootstrap` CLI as a separate process, as an admin or a script runs it.</summary>
internal static class BootstrapProcess
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    public static Task<ProcessResult> RunAsync(params string[] args) => RunAsync(DefaultTimeout, args);

    public static async Task<ProcessResult> RunAsync(TimeSpan timeout, params string[] args) =>
        await WithEvidenceAsync(await LocalProcess.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "bootstrap.dll"), .. args], timeout, null, LabScript.RepoRoot));

    /// <summary>Runs with <paramref name="onLine"/> seeing each line of standard output (with --output json: each event) as it comes.</summary>
    public static async Task<ProcessResult> RunAsync(TimeSpan timeout, Func<string, Task> onLine, params string[] args) =>
        await WithEvidenceAsync(
            await LocalProcess.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "bootstrap.dll"), .. args], timeout, null, LabScript.RepoRoot, onLine));

    /// <summary>
    /// A lab machine that took the login but ran no `id -u` in time (seen three times, each right after an up, on no machine
    /// in particular; the third time OpenSSH got no session either for a minute more) is looked at through OpenSSH and from
    /// the host at once (<see cref="LabMachines.DiagnoseAsync"/>), and what it shows is added to the run's standard error:
    /// the failure then tells a host that is slow to run a session from a client that missed its end, and shows where the
    /// host's processes wait.
    /// </summary>
    private static async Task<ProcessResult> WithEvidenceAsync(ProcessResult result)
    {
        var machines = StuckMachines(result.Output);
        if (machines.Count == 0)
        {
            return result;
        }

        var evidence = await Task.WhenAll(machines.Select(LabMachines.DiagnoseAsync));
        return result with
        {
            Stderr = result.Stderr + $"\n[test] the test host's load: {File.ReadAllText("/proc/loadavg").Trim()}\n[test] " + string.Join("\n[test] ", evidence),
        };
    }

    /// <summary>The lab machines a run's output names as taking the login but not running `id -u` in time.</summary>
    internal static IReadOnlyList<LabMachine> StuckMachines(string output)
    {
        var stuck = Regex.Matches(output, @"(\w+): cannot connect to [^\n]*`id -u` did not finish").Select(m => m.Groups[1].Value).ToHashSet();
        return LabMachine.All.Where(m => stuck.Contains(m.Name)).ToList();
    }

    /// <summary>The events of an <c>--output json</c> run, one per line; fails on a line that is not JSON.</summary>
    public static List<JsonElement> Events(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
}
