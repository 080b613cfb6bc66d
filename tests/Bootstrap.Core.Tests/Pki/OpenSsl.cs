using System.Diagnostics;

namespace Bootstrap.Core.Tests.Pki;

/// <summary>Runs the real /usr/bin/openssl.</summary>
internal static class OpenSsl
{
    public const string Binary = "/usr/bin/openssl";

    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }

    public static string RunChecked(params string[] args)
    {
        var (exitCode, stdout, stderr) = Run(args);
        Assert.True(exitCode == 0, $"openssl {string.Join(' ', args)} exited {exitCode}: {stderr}");
        return stdout;
    }

    /// <summary>openssl verify with only <paramref name="caFile"/> as trust anchor.</summary>
    public static bool Verifies(string caFile, string certificateFile) =>
        Run("verify", "-x509_strict", "-CAfile", caFile, certificateFile).ExitCode == 0;
}
