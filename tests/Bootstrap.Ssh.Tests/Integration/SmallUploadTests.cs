using System.Security.Cryptography;
using Bootstrap.Core.Remote;
using Bootstrap.Ssh.Tests.Infrastructure;

namespace Bootstrap.Ssh.Tests.Integration;

/// <summary>
/// Files up to <see cref="AtomicInstall.OneCommandLimit"/> (certificates, keys, kubeconfigs, units) are written by one root command on
/// the command connection, the content on its standard input: no probe, no SFTP connection, no temp file left behind.
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
