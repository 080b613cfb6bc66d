using System.Diagnostics;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Tests.Remote;

/// <summary>
/// <see cref="AtomicInstall.WideInputPipe"/>, run by a real shell with a real pipe for its standard input (as sshd gives a command):
/// the pipe becomes 1 MiB where perl is, nothing of the input is lost, and a host without perl, or an input that is not a pipe,
/// reads its input as before and prints nothing.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class WideInputPipeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bootstrap-pipe-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_input_pipe_becomes_one_mebibyte()
    {
        // F_GETPIPE_SZ is 1032; the pipe's size before the fragment is the kernel's default.
        const string size = "perl -e 'print fcntl(STDIN, 1032, 0), \"\\n\"'";
        AssertRead("65536\n1048576\n", await RunAsync($"{size}; {AtomicInstall.WideInputPipe}; {size}", "", path: null));
    }

    [Fact]
    public async Task Perl_reads_none_of_the_input()
    {
        var input = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"line {i}\n"));
        AssertRead(input, await RunAsync($"{AtomicInstall.WideInputPipe}; cat", input, path: null));
    }

    [Fact]
    public async Task Without_perl_the_input_is_read_as_before()
    {
        // A PATH where no perl is (nor anything else): `command -v perl` fails, and the shell's builtins read the input.
        var empty = Directory.CreateDirectory(Path.Combine(_dir, "bin")).FullName;
        AssertRead("two one\n", await RunAsync($"{AtomicInstall.WideInputPipe}; read -r a; read -r b; echo \"$b $a\"", "one\ntwo\n", path: empty));
    }

    [Fact]
    public async Task An_input_that_is_not_a_pipe_is_left_as_it_is()
    {
        var file = Path.Combine(_dir, "input");
        await File.WriteAllTextAsync(file, "content\n");
        AssertRead("content\n", await RunAsync($"{AtomicInstall.WideInputPipe} < \"$1\"; cat < \"$1\"", "", path: null, file));
    }

    /// <summary>The script exited 0, printed <paramref name="stdout"/> and nothing on standard error.</summary>
    private static void AssertRead(string stdout, (int Status, string Stdout, string Stderr) run)
    {
        Assert.Equal(0, run.Status);
        Assert.Equal(stdout, run.Stdout);
        Assert.Equal("", run.Stderr);
    }

    private static async Task<(int Status, string Stdout, string Stderr)> RunAsync(string script, string input, string? path, params string[] arguments)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add("sh");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (path is not null)
        {
            start.Environment["PATH"] = path;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await stdout, await stderr);
    }
}
