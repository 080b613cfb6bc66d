using System.Security.Cryptography;
using Bootstrap.Ssh.Tests.Infrastructure;

namespace Bootstrap.Ssh.Tests.Integration;

/// <summary>
/// <c>DownloadToAsync</c>: a file reaches the caller's stream piece by piece as it arrives (a multi-megabyte etcd
/// snapshot is never held whole), out of <c>cat</c> on the command connection (through <c>sudo</c> when the login user is
/// not root); a missing file is false.
/// </summary>
[Collection(SshdCollection.Name)]
[Trait("Category", "Sshd")]
public sealed class StreamedDownloadTests(SshdFixture sshd) : IDisposable
{
    private readonly string _dir = Directory.CreateDirectory($"/var/tmp/bootstrap-download-{Guid.NewGuid():N}").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task As_root_a_large_file_arrives_in_pieces_on_the_command_connection_alone_and_a_missing_one_is_false()
    {
        var content = RandomNumberGenerator.GetBytes(24 * 1024 * 1024);
        var path = Path.Combine(_dir, "snapshot.db");
        await File.WriteAllBytesAsync(path, content);
        var (host, logins) = await sshd.ConnectCountingAsync();
        await using var disposeHost = host;
        using var destination = new WatchedStream();

        Assert.True(await host.DownloadToAsync(path, destination, CancellationToken.None));

        Assert.Equal(content, destination.Content);
        Assert.True(destination.Writes > 10, $"{destination.Writes} writes: the file was not streamed");
        using var nothing = new WatchedStream();
        Assert.False(await host.DownloadToAsync(Path.Combine(_dir, "missing.db"), nothing, CancellationToken.None));
        Assert.Equal(0, nothing.Writes);
        await sshd.AssertNoLoginSinceAsync(logins);
    }

    [Theory]
    [InlineData(SshdFixture.SudoNoPasswordUser)]
    [InlineData(SshdFixture.SudoPasswordUser)]
    public async Task A_non_root_user_streams_a_root_only_file_through_sudo(string user)
    {
        var content = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);
        var path = Path.Combine(_dir, "root-only.db");
        await File.WriteAllBytesAsync(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var host = await sshd.ConnectAsync(user == SshdFixture.SudoPasswordUser ? sshd.PasswordSettings() : sshd.Settings(user: user));
        using var destination = new WatchedStream();

        Assert.False(host.IsRoot);
        Assert.True(await host.DownloadToAsync(path, destination, CancellationToken.None));

        Assert.Equal(content, destination.Content);
        Assert.True(destination.Writes > 1, $"{destination.Writes} writes: the file was not streamed");
        using var nothing = new WatchedStream();
        Assert.False(await host.DownloadToAsync(Path.Combine(_dir, "missing.db"), nothing, CancellationToken.None));
    }
}
