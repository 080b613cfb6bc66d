using System.Diagnostics;
using System.Globalization;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Tests.Rendering;

namespace Bootstrap.Core.Tests.Remote;

/// <summary>
/// A command given up on is stopped with SIGTERM to its whole process group (SshHost's stop), which may come while the command is
/// already removing its temp file: the <c>rm</c> of its exit trap would be killed with it and leave the temp file behind (seen in the
/// SSH suite: an upload cut 30 MB in left <c>.big.bin.bootstrap-…</c>, its content having ended and its check failed just before).
/// Here the scripts run in a process group of their own on this machine, with an <c>rm</c> first on the PATH that is slow to start,
/// and the group is sent SIGTERM while that <c>rm</c> runs.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CleanupUnderSignalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bootstrap-cleanup-signal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Target => Path.Combine(_dir, "target.conf");

    [Fact]
    public async Task A_one_command_upload_stopped_while_it_removes_its_temp_file_still_removes_it()
    {
        // Content with another sha256: the script exits 3, and its exit trap removes the temp file.
        var command = AtomicInstall.OneCommand(new FileSpec(Target, Mode: 0b110_000_000), new string('0', 64)) with { Stdin = "content\n"u8.ToArray() };

        await StopWhileRemovingAsync(command);

        Assert.Equal(["bin", "rm-started"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_put_in_place_stopped_while_it_removes_its_temp_file_still_removes_it()
    {
        // A staged copy that is not there: the install fails, and the exit trap removes the temp file.
        var command = AtomicInstall.PutInPlaceCommand(new FileSpec(Target, Mode: 0b110_000_000), new string('0', 64), Path.Combine(_dir, "staged"), []);

        await StopWhileRemovingAsync(command);

        Assert.Equal(["bin", "rm-started"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Runs <paramref name="command"/>'s argv as its own process group, with an <c>rm</c> first on the PATH that marks its start and waits
    /// 5 s before it removes (room for a busy machine to send the signal first); sends the group SIGTERM once that <c>rm</c> has started, and waits for the command to end.
    /// </summary>
    private async Task StopWhileRemovingAsync(RemoteCommand command)
    {
        var bin = Directory.CreateDirectory(Path.Combine(_dir, "bin")).FullName;
        var mark = Path.Combine(_dir, "rm-started");
        var rm = Path.Combine(bin, "rm");
        // The mark holds rm's process group (the command's).
        await File.WriteAllTextAsync(rm, $"#!/bin/sh\ngroup() {{ set -- $1; echo $3; }}\nread -r s < /proc/$$/stat; group \"${{s##*) }}\" > '{mark}.new'; mv '{mark}.new' '{mark}'\nsleep 5\nexec /bin/rm \"$@\"\n");
        File.SetUnixFileMode(rm, (UnixFileMode)0b111_101_101);

        // setsid: a session and process group of its own, as sshd gives each command (-w: setsid forks when it leads a group, and waits).
        var start = new ProcessStartInfo("setsid") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["-w", "env", "PATH=" + bin + ":" + Environment.GetEnvironmentVariable("PATH"), .. command.Argv])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (command.Stdin is { } input)
        {
            await process.StandardInput.BaseStream.WriteAsync(input);
        }

        process.StandardInput.Close();
        var clock = Stopwatch.StartNew();
        while (!File.Exists(mark))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(20) || process.HasExited)
            {
                Assert.Fail($"rm never started: {await stderr}");
            }

            await Task.Delay(20);
        }

        var group = (await File.ReadAllTextAsync(mark)).Trim();
        Assert.NotEqual(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), group);
        var (killed, said) = HostTool.Run("kill", "-TERM", "--", "-" + group);
        Assert.True(killed == 0, $"kill -TERM -{group}: {said} (the command exited: {process.HasExited}; {await stderr})");

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await stdout;
        await stderr;
    }
}
