using System.Diagnostics;
using System.Security.Cryptography;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Tests.Remote;

/// <summary>
/// The commands that take content on their standard input end only once that input has ended, also when they fail before reading it:
/// sshd closes the channel of a command that has exited, and an end of input (EOF) the client sends after that reaches a channel
/// sshd no longer has, which it answers by dropping the whole connection (seen on the lab: "ieof packet referred to nonexistent
/// channel 0"). Each script runs in a real shell with the standard input kept open after its content, as a client that has sent the
/// last byte but not yet its EOF.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EndOfInputTests : IDisposable
{
    private static readonly TimeSpan HeldOpen = TimeSpan.FromSeconds(1.5);
    private readonly string _dir = Directory.CreateTempSubdirectory("bootstrap-eof-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Cases => ["many", "one", "one-large", "one-failing", "manifest", "manifest-failing"];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_command_taking_content_does_not_exit_before_its_input_ends(string which)
    {
        var content = which == "one-large" ? RandomNumberGenerator.GetBytes((int)AtomicInstall.OneCommandLimit * 2) : "content\n"u8.ToArray();
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        var missing = Path.Combine(_dir, "missing", "dir");
        var command = which switch
        {
            "many" => AtomicInstall.ManyCommand(
            [
                new SmallUpload(content, new FileSpec(Path.Combine(_dir, "a")), sha256),
                new SmallUpload(content, new FileSpec(Path.Combine(_dir, "b")), sha256),
            ]),
            "one" => AtomicInstall.OneCommand(new FileSpec(Path.Combine(_dir, "a")), sha256),
            "one-large" => AtomicInstall.OneCommand(new FileSpec(Path.Combine(_dir, "a")), sha256, large: true),
            // mktemp fails (no such directory) before the content is read.
            "one-failing" => AtomicInstall.OneCommand(new FileSpec(Path.Combine(missing, "a")), sha256),
            "manifest" => InstalledFilesManifest.WriteCommand(Path.Combine(_dir, "manifest"), "line\n"),
            // A regular file where the manifest's directory must be: mkdir fails before the content is read.
            "manifest-failing" => InstalledFilesManifest.WriteCommand(Path.Combine(_dir, "file", "manifest"), "line\n"),
            _ => throw new ArgumentOutOfRangeException(nameof(which)),
        };
        await File.WriteAllTextAsync(Path.Combine(_dir, "file"), "not a directory\n");
        var input = command.Stdin ?? content;

        var start = new ProcessStartInfo(command.Argv[0]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command.Argv.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.BaseStream.WriteAsync(input);
        await process.StandardInput.BaseStream.FlushAsync();
        var exitedEarly = process.WaitForExit(HeldOpen);
        process.StandardInput.Close();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(exitedEarly, $"{which} exited (status {process.ExitCode}) with its standard input still open: {await stdout} {await stderr}");
        Assert.Equal(which.EndsWith("-failing", StringComparison.Ordinal) ? 1 : 0, process.ExitCode);
    }
}
