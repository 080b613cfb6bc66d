using System.Diagnostics;
using Bootstrap.Core.Remote;
using Bootstrap.Ssh.Tests.Infrastructure;

namespace Bootstrap.Ssh.Tests.Integration;

[Collection(SshdCollection.Name)]
[Trait("Category", "Sshd")]
public sealed class SudoTests(SshdFixture sshd)
{
    [Fact]
    public async Task Passwordless_sudo_user_creates_a_root_owned_0600_file()
    {
        await using var host = await sshd.ConnectAsync(sshd.Settings(user: SshdFixture.SudoNoPasswordUser));

        await AssertCreatesRootOwnedFile(host, "nopw");
    }

    [Fact]
    public async Task Sudo_user_with_a_password_creates_a_root_owned_0600_file()
    {
        await using var host = await sshd.ConnectAsync(sshd.PasswordSettings());

        await AssertCreatesRootOwnedFile(host, "pw");
    }

    [Fact]
    public async Task The_sudo_password_never_reaches_the_commands_stdin()
    {
        await using var host = await sshd.ConnectAsync(sshd.PasswordSettings());

        var result = await host.RunAsync(new RemoteCommand(["cat"], sudo: true, stdin: "only this\n"u8.ToArray()), CancellationToken.None);

        Assert.Equal(new CommandResult(0, "only this\n", string.Empty), result);
    }

    [Fact]
    public async Task Without_sudo_the_user_stays_unprivileged()
    {
        await using var host = await sshd.ConnectAsync(sshd.Settings(user: SshdFixture.SudoNoPasswordUser));

        var result = await host.RunAsync(RemoteCommand.Of("touch", "/etc/bootstrap-test-should-not-exist"), CancellationToken.None);

        Assert.NotEqual(0, result.ExitCode);
        Assert.False(File.Exists("/etc/bootstrap-test-should-not-exist"));
    }

    [Theory]
    [InlineData(SshdFixture.SudoPasswordUser, false)]
    [InlineData(SshdFixture.SudoNoPasswordUser, false)]
    [InlineData(SshdFixture.SudoPasswordUser, true)]
    [InlineData(SshdFixture.SudoNoPasswordUser, true)]
    public async Task A_non_root_upload_never_stages_content_where_the_login_user_can_read_it_even_when_cut(string user, bool differs)
    {
        await using var host = await sshd.ConnectAsync(user == SshdFixture.SudoPasswordUser ? sshd.PasswordSettings() : sshd.Settings(user: user));
        var directory = Directory.CreateDirectory($"/etc/bootstrap-test-stage-{Guid.NewGuid():N}").FullName;
        var since = Path.Combine(directory, ".since");
        File.WriteAllText(since, string.Empty);
        try
        {
            var target = Path.Combine(directory, "token.csv");
            var content = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16 * 1024 * 1024);
            // differs: the caller knows the host lacks the content, which then goes in one command (no dd into a temp file made apart).
            var spec = new FileSpec(target, Mode: 0b110_000_000) { Differs = differs };
            var midway = new List<string>();
            void LookMidway(long total)
            {
                if (midway.Count == 0 && total > content.Length + (content.Length / 2))
                {
                    midway.Add(FilesOwnedBy(user, since));
                    midway.Add(Writers(directory));
                    midway.Add(string.Join(' ', HoldersOfFilesIn(directory)));
                }
            }

            using var never = new CancellationTokenSource();
            await using (var whole = new CancelAfterBytesStream(new MemoryStream(content), long.MaxValue, never, LookMidway))
            {
                Assert.True((await host.UploadAsync(whole, spec, CancellationToken.None)).Changed);
            }

            // Cut 4 MB into sending (the first content.Length bytes read are the hash).
            using var cancel = new CancellationTokenSource();
            var cancelledAt = 0L;
            var threshold = content.Length + (4L * 1024 * 1024);

            // Stamped as the read crosses the threshold, just before the cancel: a registration on the token may run only after
            // the upload's own cancellation, whose continuations can run inline within Cancel(), has already returned here.
            void Stamp(long total)
            {
                if (total > threshold && cancelledAt == 0)
                {
                    cancelledAt = Stopwatch.GetTimestamp();
                }
            }

            await using (var cut = new CancelAfterBytesStream(new MemoryStream(System.Security.Cryptography.RandomNumberGenerator.GetBytes(content.Length)), threshold, cancel, Stamp))
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.UploadAsync(cut, spec, cancel.Token));
                Assert.InRange(Stopwatch.GetElapsedTime(cancelledAt), TimeSpan.Zero, TimeSpan.FromSeconds(10));
                Assert.InRange(cut.BytesRead, content.Length + (4L * 1024 * 1024), content.Length + (5L * 1024 * 1024));
            }

            await AssertNothingWritesInto(directory);

            Assert.Equal(string.Empty, midway[0]);
            if (!differs)
            {
                Assert.Contains("dd of=" + directory + "/", midway[1], StringComparison.Ordinal);
            }

            Assert.Matches("^(root )*root$", midway[2]);
            Assert.Equal(string.Empty, FilesOwnedBy(user, since));
            Assert.Equal(content, await File.ReadAllBytesAsync(target));
            Assert.Equal("600 root root\n", Proc.Run("stat", "-c", "%a %U %G", target));
            Assert.Equal([".since", "token.csv"], Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(SshdFixture.SudoPasswordUser)]
    [InlineData(SshdFixture.SudoNoPasswordUser)]
    public async Task An_upload_with_a_manifest_is_recorded_there_by_root_0600_as_stat_sees_the_file_and_one_without_is_not(string user)
    {
        await using var host = await sshd.ConnectAsync(user == SshdFixture.SudoPasswordUser ? sshd.PasswordSettings() : sshd.Settings(user: user));
        var directory = Directory.CreateDirectory($"/etc/bootstrap-test-manifest-{Guid.NewGuid():N}").FullName;
        try
        {
            var manifest = Path.Combine(directory, "state", "installed-files");
            var recorded = Path.Combine(directory, "kubelet conf");
            var other = Path.Combine(directory, "other");

            await host.UploadAsync("recorded\n"u8.ToArray(), new FileSpec(recorded, Mode: 0b110_000_000) { Manifest = manifest }, CancellationToken.None);
            await host.UploadAsync("not recorded\n"u8.ToArray(), new FileSpec(other), CancellationToken.None);

            var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("recorded\n"u8));
            Assert.Equal($"{sha256} {Proc.Run("stat", "-c", "%s %.9Y %.9Z %i %d %n", recorded)}", await File.ReadAllTextAsync(manifest));
            Assert.Equal("600 root root\n", Proc.Run("stat", "-c", "%a %U %G", manifest));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Within 10 s of a cut upload, its remote command has ended with it (signalled, or its input closed): no process writes into <paramref name="directory"/> or holds a file of it open, and no temp file is
    /// left there. A cut one-command upload's temp file is removed on the host by that command, once its input has ended (after the
    /// client gave up), not by the client.
    /// </summary>
    private static async Task AssertNothingWritesInto(string directory)
    {
        var deadline = Stopwatch.StartNew();
        while ((Writers(directory) != string.Empty || HoldersOfFilesIn(directory).Count > 0 || Temps().Count > 0) && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
        }

        Assert.Equal(string.Empty, Writers(directory));
        Assert.Empty(HoldersOfFilesIn(directory));
        Assert.Empty(Temps());

        IReadOnlyList<string> Temps() => [.. Directory.GetFiles(directory).Where(f => Path.GetFileName(f).Contains(".bootstrap-", StringComparison.Ordinal))];
    }

    /// <summary>The processes (with their command lines) that write a file in <paramref name="directory"/> through <c>dd</c>.</summary>
    private static string Writers(string directory) => Proc.TryRun("pgrep", null, "-a", "-f", "dd of=" + directory + "/").Stdout;

    /// <summary>The user of each process that holds a file of <paramref name="directory"/> open (a staged copy being written).</summary>
    private static IReadOnlyList<string> HoldersOfFilesIn(string directory)
    {
        var users = new List<string>();
        foreach (var process in Directory.GetDirectories("/proc").Where(d => Path.GetFileName(d).All(char.IsAsciiDigit)))
        {
            try
            {
                if (Directory.GetFiles(Path.Combine(process, "fd")).Any(fd => new FileInfo(fd).LinkTarget?.StartsWith(directory + "/", StringComparison.Ordinal) == true))
                {
                    // "Uid:" then the real, effective, saved and filesystem uids: the effective one names who writes.
                    var uid = File.ReadLines(Path.Combine(process, "status")).First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[2];
                    users.Add(uid == "0" ? "root" : "uid " + uid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile.
            }
        }

        return users;
    }

    /// <summary>Files the login user wrote since <paramref name="marker"/> where a staged copy could be: temp directories and its home.</summary>
    private static string FilesOwnedBy(string user, string marker) =>
        Proc.Run("find", "/tmp", "/var/tmp", "/dev/shm", $"/home/{user}", "-xdev", "-user", user, "-type", "f", "-newer", marker);

    private static async Task AssertCreatesRootOwnedFile(SshHost host, string tag)
    {
        var path = $"/etc/bootstrap-test-sudo-{tag}-{Guid.NewGuid():N}";
        try
        {
            Assert.False(host.IsRoot);
            var id = await host.RunAsync(RemoteCommand.Of("id", "-u").AsRoot(), CancellationToken.None);
            Assert.Equal("0\n", id.Stdout);

            var upload = await host.UploadAsync("secret material\n"u8.ToArray(), new FileSpec(path, Mode: 0b110_000_000), CancellationToken.None);

            Assert.True(upload.Changed);
            Assert.Equal("600 root root\n", Proc.Run("stat", "-c", "%a %U %G", path));
            Assert.Equal("secret material\n", await File.ReadAllTextAsync(path));
            Assert.Equal("secret material\n"u8.ToArray(), await host.DownloadAsync(path, CancellationToken.None));
            Assert.False((await host.UploadAsync("secret material\n"u8.ToArray(), new FileSpec(path, Mode: 0b110_000_000), CancellationToken.None)).Changed);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
