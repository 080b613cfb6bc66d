using System.Text.Json;

namespace Bootstrap.Lab.Tests.Lab;

/// <summary>The real `bootstrap` CLI as a separate process, as an admin or a script runs it.</summary>
internal static class BootstrapProcess
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    public static Task<ProcessResult> RunAsync(params string[] args) => RunAsync(DefaultTimeout, args);

    public static Task<ProcessResult> RunAsync(TimeSpan timeout, params string[] args) =>
        LocalProcess.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "bootstrap.dll"), .. args], timeout, null, LabScript.RepoRoot);

    /// <summary>Runs with <paramref name="onLine"/> seeing each line of standard output (with --output json: each event) as it comes.</summary>
    public static Task<ProcessResult> RunAsync(TimeSpan timeout, Func<string, Task> onLine, params string[] args) =>
        LocalProcess.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "bootstrap.dll"), .. args], timeout, null, LabScript.RepoRoot, onLine);

    /// <summary>The events of an <c>--output json</c> run, one per line; fails on a line that is not JSON.</summary>
    public static List<JsonElement> Events(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
}
