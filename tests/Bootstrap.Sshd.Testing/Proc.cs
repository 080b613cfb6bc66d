using System.Diagnostics;

namespace Bootstrap.Sshd.Testing;

/// <summary>Runs a local program for test or benchmark setup; throws with its output when it fails.</summary>
public static class Proc
{
    public static string Run(string program, params string[] args) => RunWithInput(program, null, args);

    public static string RunWithInput(string program, string? input, params string[] args)
    {
        var (code, stdout, stderr) = TryRun(program, input, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {code}: {stderr}{stdout}");
        }

        return stdout;
    }

    public static (int Code, string Stdout, string Stderr) TryRun(string program, string? input, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        if (input is not null)
        {
            process.StandardInput.Write(input);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
