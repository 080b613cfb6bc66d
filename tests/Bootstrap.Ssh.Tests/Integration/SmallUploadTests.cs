using System.Security.Cryptography;
using Bootstrap.Core.Remote;
using Bootstrap.Ssh.Tests.Infrastructure;

namespace Bootstrap.Ssh.Tests.Integration;

/// <summary>
/// Files up to <see cref="AtomicInstall.OneCommandLimit"/> (certificates, keys, kubeconfigs, units) are written by one root command on
/// the command connection, the content on its standard input (several files: one command for all): no probe, no second
/// connection, no temp file left behind.
/// </summary>
[Collection(SshdCollection.Name)]
[Trait("Category", "Sshd")]
public sealed class SmallUploadTests(SshdFixture sshd) : IDisposable
{
    private readonly string _dir = Directory.CreateDirectory($"/var/tmp/bootstrap-small-upload-{Guid.NewGuid():N}").FullName;

    private string Target => Path.Combine(_dir, "apiserver.key");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_small_file_is_written_skipped_and_has_its_mode_restored_on_the_command_connection_alone()
    {
        var content = RandomNumberGenerator.GetBytes(1679);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        var spec = new FileSpec(Target, Mode: 0b110_000_000, Owner: "nobody", Group: "nogroup");
        var (host, logins) = await sshd.ConnectCountingAsync();
        await using var disposeHost = host;

        var written = await host.UploadAsync(content, spec, CancellationToken.None);
        var again = await host.UploadAsync(content, spec, CancellationToken.None);
        File.SetUnixFileMode(Target, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var restored = await host.UploadAsync(content, spec, CancellationToken.None);

        Assert.Equal(new UploadResult(true, sha256), written);
        Assert.Equal(new UploadResult(false, sha256), again);
        Assert.Equal(new UploadResult(true, sha256), restored);
        Assert.Equal(content, File.ReadAllBytes(Target));
        Assert.Equal("600 nobody nogroup\n", Proc.Run("stat", "-c", "%a %U %G", Target));
        Assert.Equal(["apiserver.key"], Directory.GetFiles(_dir).Select(Path.GetFileName));

        await sshd.AssertNoLoginSinceAsync(logins);
    }

    [Fact]
    public async Task Several_small_files_go_in_one_command_on_the_command_connection_alone_and_each_is_checked()
    {
        var key = RandomNumberGenerator.GetBytes(1679);
        SmallUpload[] files =
        [
            Small(Path.Combine(_dir, "pki", "etcd", "peer.key"), key, new FileSpec(string.Empty, Mode: 0b110_000_000, Owner: "nobody", Group: "nogroup")),
            Small(Path.Combine(_dir, "pki", "ca.crt"), "-----BEGIN CERTIFICATE-----\n"u8.ToArray(), new FileSpec(string.Empty)),
            Small(Path.Combine(_dir, "admin.conf"), [], new FileSpec(string.Empty, Mode: 0b110_000_000)),
        ];
        var (host, logins) = await sshd.ConnectCountingAsync();
        await using var disposeHost = host;

        var written = await host.UploadSmallAsync(files, CancellationToken.None);
        var again = await host.UploadSmallAsync(files, CancellationToken.None);
        var wrong = await host.UploadSmallAsync([files[0], files[1] with { Content = "other\n"u8.ToArray() }], CancellationToken.None);

        Assert.All(written, o => Assert.True(o.Result?.Changed, o.Error?.Message));
        Assert.All(again, o => Assert.False(o.Result?.Changed, o.Error?.Message));
        Assert.False(wrong[0].Result?.Changed);
        Assert.IsType<IOException>(wrong[1].Error);
        Assert.All(files, f => Assert.Equal(f.Content, File.ReadAllBytes(f.Target.Path)));
        Assert.Equal("600 nobody nogroup\n", Proc.Run("stat", "-c", "%a %U %G", files[0].Target.Path));
        Assert.Equal("644 root root\n", Proc.Run("stat", "-c", "%a %U %G", files[1].Target.Path));
        Assert.Empty(Directory.GetFiles(_dir, "*.bootstrap-*", SearchOption.AllDirectories));

        await sshd.AssertNoLoginSinceAsync(logins);
    }

    [Theory]
    [InlineData(SshdFixture.SudoPasswordUser)]
    [InlineData(SshdFixture.SudoNoPasswordUser)]
    public async Task Through_sudo_several_small_files_are_root_owned_and_the_password_is_not_taken_for_content(string user)
    {
        await using var host = await sshd.ConnectAsync(user == SshdFixture.SudoPasswordUser ? sshd.PasswordSettings() : sshd.Settings(user: user));
        SmallUpload[] files =
        [
            Small(Path.Combine(_dir, "one.key"), "one\n"u8.ToArray(), new FileSpec(string.Empty, Mode: 0b110_000_000)),
            Small(Path.Combine(_dir, "sub", "two.crt"), "two\n"u8.ToArray(), new FileSpec(string.Empty)),
        ];

        var outcomes = await host.UploadSmallAsync(files, CancellationToken.None);

        Assert.All(outcomes, o => Assert.True(o.Result?.Changed, o.Error?.Message));
        Assert.Equal("one\n", await File.ReadAllTextAsync(files[0].Target.Path));
        Assert.Equal("two\n", await File.ReadAllTextAsync(files[1].Target.Path));
        Assert.Equal("600 root root\n", Proc.Run("stat", "-c", "%a %U %G", files[0].Target.Path));
    }

    private static SmallUpload Small(string path, byte[] content, FileSpec spec) =>
        new(content, spec with { Path = path }, Convert.ToHexStringLower(SHA256.HashData(content)));

    [Fact]
    public async Task Content_that_arrives_with_another_sha256_leaves_the_target_and_no_temp_file()
    {
        await File.WriteAllTextAsync(Target, "old\n");
        var spec = new FileSpec(Target, Mode: 0b110_000_000) { Sha256 = new string('0', 64) };
        await using var host = await sshd.ConnectAsync(sshd.Settings());

        var error = await Assert.ThrowsAsync<IOException>(() => host.UploadAsync("new\n"u8.ToArray(), spec, CancellationToken.None));

        Assert.Contains($"the uploaded copy of {Target} has sha256 {Convert.ToHexStringLower(SHA256.HashData("new\n"u8))}", error.Message, StringComparison.Ordinal);
        Assert.Equal("old\n", await File.ReadAllTextAsync(Target));
        Assert.Equal(["apiserver.key"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }
}
