using System.Diagnostics;

namespace Bootstrap.Ssh.Tests.Infrastructure;

/// <summary>
/// Runs the real <c>bootstrap</c> CLI as its own process (<c>dotnet bootstrap.dll …</c>, copied next to the
/// tests by the project reference), the way an admin runs it: its own environment, standard streams and exit code.
/// </summary>
internal static class BootstrapProcess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "bootstrap.dll") },
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bootstrap {string.Join(' ', args)} did not finish within {Timeout}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
