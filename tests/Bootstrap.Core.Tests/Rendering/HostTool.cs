using System.Diagnostics;

namespace Bootstrap.Core.Tests.Rendering;

/// <summary>
/// Runs a program (an absolute path, or a name installed by scripts/setup-host) and returns its exit
/// code and combined output.
/// </summary>
internal static class HostTool
{
    public static (int ExitCode, string Output) Run(string program, params string[] arguments)
    {
        var path = Path.IsPathRooted(program)
            ? program
            : new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin" }.Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
        Assert.True(path is not null && File.Exists(path), $"{program} is not installed; run scripts/setup-host (or scripts/lab artifacts for the Kubernetes binaries)");

        var start = new ProcessStartInfo(path!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} did not finish in 30 s");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
