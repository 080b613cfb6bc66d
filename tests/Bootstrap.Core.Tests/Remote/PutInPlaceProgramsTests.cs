using Bootstrap.Core.Install;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Tests.Rendering;

namespace Bootstrap.Core.Tests.Remote;

/// <summary>
/// The programs a put-in-place starts (each start is a fork and an exec on the host; a control plane puts eight binaries in place
/// in a fresh install): a staged binary that already has the target's owner and mode goes in as a hard link, with no
/// <c>chown</c> and no <c>chmod</c> of what is already so; a copy gets both. Run on this machine, with recording
/// <c>chown</c> and <c>chmod</c> first on the PATH.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PutInPlaceProgramsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bootstrap-put-in-place-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_staged_binary_with_the_targets_owner_and_mode_is_linked_in_without_chown_or_chmod()
    {
        var (target, staged, sha256) = await StageAsync(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        var ran = await PutInPlaceAsync(target, staged, sha256);

        Assert.Empty(ran);
        Assert.Equal(Inode(staged), Inode(target.Path));
        Assert.Equal("v1\n", await File.ReadAllTextAsync(target.Path));
    }

    [Fact]
    public async Task A_staged_binary_with_another_mode_is_copied_in_and_given_the_targets_owner_and_mode()
    {
        var (target, staged, sha256) = await StageAsync(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var ran = await PutInPlaceAsync(target, staged, sha256);

        Assert.Equal(["chown", "chmod"], ran);
        Assert.NotEqual(Inode(staged), Inode(target.Path));
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(target.Path));
        Assert.Equal("v1\n", await File.ReadAllTextAsync(target.Path));
    }

    private async Task<(FileSpec Target, string Staged, string Sha256)> StageAsync(UnixFileMode stagedMode)
    {
        var staged = Path.Combine(_dir, "kubelet-staged");
        await File.WriteAllTextAsync(staged, "v1\n");
        File.SetUnixFileMode(staged, stagedMode);
        var target = new FileSpec(Path.Combine(_dir, "kubelet"), 0b111_101_101, Run("id", "-un"), Run("id", "-gn"));
        return (target, staged, DesiredFile.FromText(target, "v1\n").Sha256);
    }

    /// <summary>Runs the put-in-place command's argv here; the names of the recorded programs it started, in order.</summary>
    private async Task<List<string>> PutInPlaceAsync(FileSpec target, string staged, string sha256)
    {
        var bin = Directory.CreateDirectory(Path.Combine(_dir, "bin")).FullName;
        var log = Path.Combine(_dir, "ran");
        foreach (var program in new[] { "chown", "chmod" })
        {
            var shim = Path.Combine(bin, program);
            await File.WriteAllTextAsync(shim, $"#!/bin/sh\necho {program} >> '{log}'\nexec /bin/{program} \"$@\"\n");
            File.SetUnixFileMode(shim, (UnixFileMode)0b111_101_101);
        }

        var command = AtomicInstall.PutInPlaceCommand(target, sha256, staged, []);
        var (code, output) = HostTool.Run("env", ["PATH=" + bin + ":" + Environment.GetEnvironmentVariable("PATH"), .. command.Argv]);
        Assert.True(code == 0, $"put-in-place exited {code}: {output}");
        return File.Exists(log) ? [.. await File.ReadAllLinesAsync(log)] : [];
    }

    private static string Inode(string path) => Run("stat", "-c", "%d:%i", "--", path);

    private static string Run(string program, params string[] args)
    {
        var (code, output) = HostTool.Run(program, args);
        Assert.True(code == 0, $"{program} exited {code}: {output}");
        return output.Trim();
    }
}
