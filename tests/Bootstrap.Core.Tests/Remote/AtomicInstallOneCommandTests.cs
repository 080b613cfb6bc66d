using System.Security.Cryptography;
using Bootstrap.Core.Remote;
using Serilog.Core;

namespace Bootstrap.Core.Tests.Remote;

/// <summary>The one-command small upload's script, run by a real shell on this machine (SSH delivers the same argv and standard input).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AtomicInstallOneCommandTests : IDisposable
{
    private static readonly byte[] Content = "-----BEGIN PRIVATE KEY-----\nsecret\n"u8.ToArray();
    private static readonly string Sha256 = Convert.ToHexStringLower(SHA256.HashData(Content));
    private readonly string _dir = Directory.CreateTempSubdirectory("bootstrap-one-command-").FullName;
    private readonly LocalHost _host = new("local", new SecretRedactor(), Logger.None);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Target => Path.Combine(_dir, "sa.key");

    private string Manifest => Path.Combine(_dir, "manifest");

    private FileSpec Spec => new(Target, Mode: 0b110_000_000) { Manifest = Manifest };

    /// <summary>
    /// A <paramref name="program"/> put first on the PATH (<c>PATH=…</c>, for <c>env</c>) that fails and leaves a mark (the file whose
    /// path is returned) when it is started.
    /// </summary>
    private async Task<(string Path, string Mark)> FailingFirstOnPathAsync(string program)
    {
        var bin = Directory.CreateDirectory(Path.Combine(_dir, "bin")).FullName;
        var mark = Path.Combine(_dir, program + "-started");
        await File.WriteAllTextAsync(Path.Combine(bin, program), $"#!/bin/sh\ntouch '{mark}'\nexit 1\n");
        File.SetUnixFileMode(Path.Combine(bin, program), (UnixFileMode)0b111_101_101);
        return ("PATH=" + bin + ":" + Environment.GetEnvironmentVariable("PATH"), mark);
    }

    private Task<CommandResult> Run(byte[] content, string sha256) =>
        _host.RunAsync(AtomicInstall.OneCommand(Spec, sha256) with { Stdin = content }, CancellationToken.None);

    [Fact]
    public async Task A_new_file_is_written_with_its_mode_and_recorded_then_left_alone_then_only_its_mode_fixed()
    {
        var written = await Run(Content, Sha256);
        var line = await File.ReadAllTextAsync(Manifest);
        var again = await Run(Content, Sha256);
        File.SetUnixFileMode(Target, UnixFileMode.UserRead | UnixFileMode.GroupRead);
        var fixedMode = await Run(Content, Sha256);

        Assert.True(AtomicInstall.OneCommand(Spec, Sha256).Sudo);
        Assert.Equal(0, written.ExitCode);
        Assert.StartsWith(Sha256 + " " + Content.Length + " ", line, StringComparison.Ordinal);
        Assert.EndsWith(" " + Target + "\n", line, StringComparison.Ordinal);
        Assert.Equal(10, again.ExitCode);
        Assert.Equal(11, fixedMode.ExitCode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Target));
        Assert.Equal(Content, await File.ReadAllBytesAsync(Target));
        Assert.Equal(2, (await File.ReadAllLinesAsync(Manifest)).Length);
        Assert.Equal(["manifest", "sa.key"], Directory.GetFiles(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_file_the_host_cannot_write_names_the_host_the_file_and_the_reason_not_the_install_script()
    {
        // What a full file system made the script say on the lab (/etc/cni/net.d on a full tmpfs).
        var full = new CommandResult(1, string.Empty, "cat: write error: No space left on device\n");
        using var content = new MemoryStream(Content);

        var error = await Assert.ThrowsAsync<IOException>(() => AtomicInstall.UploadAsync(
            _host, content, Spec, (_, _, _) => Task.CompletedTask, new SecretRedactor(), Logger.None, CancellationToken.None, (_, _, _) => Task.FromResult(full)));

        Assert.Equal(
            $"local: {Target} was not written: the command installing it exited 1: cat: write error: No space left on device. "
            + "The file in place, if any, is unchanged, and no temp file was left",
            error.Message);
    }

    [Fact]
    public async Task Small_content_is_hashed_with_sha256sum_not_openssl_whose_start_costs_more_than_a_small_files_hash()
    {
        // An openssl first on the PATH that fails and leaves a mark: the upload must neither need it nor start it.
        var (path, mark) = await FailingFirstOnPathAsync("openssl");

        var result = await _host.RunAsync(new RemoteCommand(["env", path, .. AtomicInstall.OneCommand(Spec, Sha256).Argv]) { Stdin = Content }, CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Content, await File.ReadAllBytesAsync(Target));
        Assert.False(File.Exists(mark), "openssl was started");
    }

    [Fact]
    public async Task Content_with_another_sha256_exits_3_printing_it_and_leaves_the_target_and_no_temp_file()
    {
        await File.WriteAllTextAsync(Target, "old\n");

        var result = await Run("truncated"u8.ToArray(), Sha256);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("truncated"u8)), result.Stdout.Trim());
        Assert.Equal("old\n", await File.ReadAllTextAsync(Target));
        Assert.Equal(["sa.key"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Large_content_is_hashed_with_openssl_first_and_not_sha256sum_then_left_alone_the_second_time()
    {
        // A sha256sum first on the PATH that fails and leaves a mark: with openssl on the host, a large upload neither needs it nor starts it.
        var (path, mark) = await FailingFirstOnPathAsync("sha256sum");
        var content = RandomNumberGenerator.GetBytes((int)AtomicInstall.OneCommandLimit * 3);
        var command = AtomicInstall.OneCommand(Spec, Convert.ToHexStringLower(SHA256.HashData(content)), large: true);
        Task<CommandResult> RunLarge(byte[] input) => _host.RunAsync(new RemoteCommand(["env", path, .. command.Argv]) { Stdin = input }, CancellationToken.None);

        var written = await RunLarge(content);
        var again = await RunLarge(content);
        var other = await RunLarge(RandomNumberGenerator.GetBytes(content.Length));

        Assert.Equal(0, written.ExitCode);
        Assert.Equal(10, again.ExitCode);
        Assert.Equal(3, other.ExitCode);
        Assert.Equal(content, await File.ReadAllBytesAsync(Target));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Target));
        Assert.False(File.Exists(mark), "sha256sum was started");
        Assert.Equal(["manifest", "sa.key"], Directory.GetFiles(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_large_content_for_a_target_that_allows_it_widens_the_input_pipe_first_and_arrives_whole()
    {
        var content = RandomNumberGenerator.GetBytes((int)AtomicInstall.OneCommandLimit * 3);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        var wide = AtomicInstall.OneCommand(Spec with { WideInput = true }, sha256, large: true);

        var result = await _host.RunAsync(wide with { Stdin = content }, CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(content, await File.ReadAllBytesAsync(Target));
        Assert.Contains(AtomicInstall.WideInputPipe, wide.Argv[2], StringComparison.Ordinal);
        // Only a large content for a target that allows it: the others read their input through the pipe as it is.
        Assert.DoesNotContain(AtomicInstall.WideInputPipe, AtomicInstall.OneCommand(Spec, sha256, large: true).Argv[2], StringComparison.Ordinal);
        Assert.DoesNotContain(AtomicInstall.WideInputPipe, AtomicInstall.OneCommand(Spec with { WideInput = true }, sha256).Argv[2], StringComparison.Ordinal);
    }
}
