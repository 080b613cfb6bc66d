using Bootstrap.Core.Etcd;
using Bootstrap.Core.Tests.Pki;

namespace Bootstrap.Core.Tests.Etcd;

/// <summary>A snapshot etcdctl 3.4 saved (Etcd/Samples/snapshot.db) and damaged copies of it.</summary>
public sealed class EtcdSnapshotFileTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_snapshot_as_etcd_saved_it_verifies()
    {
        Assert.Null(await EtcdSnapshotFile.TrailerProblemAsync(EtcdSamples.PathOf("snapshot.db"), CancellationToken.None));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5000)]
    [InlineData(20479)]
    [InlineData(20500)]
    public async Task A_flipped_byte_anywhere_is_found(int offset)
    {
        var bytes = await File.ReadAllBytesAsync(EtcdSamples.PathOf("snapshot.db"));
        bytes[offset] ^= 0xFF;
        var path = _directory.Combine("flipped.db");
        await File.WriteAllBytesAsync(path, bytes);

        var problem = await EtcdSnapshotFile.TrailerProblemAsync(path, CancellationToken.None);

        Assert.Equal("the sha256 etcd wrote at its end does not match its content: the file was changed or damaged after it was saved", problem);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(20480)]
    [InlineData(20511)]
    public async Task A_cut_file_is_found_by_its_size(int length)
    {
        var path = _directory.Combine("cut.db");
        await File.WriteAllBytesAsync(path, (await File.ReadAllBytesAsync(EtcdSamples.PathOf("snapshot.db")))[..length]);

        Assert.Contains("is not the size of an etcd snapshot", await EtcdSnapshotFile.TrailerProblemAsync(path, CancellationToken.None), StringComparison.Ordinal);
    }

    [Fact]
    public void The_checksum_file_is_what_sha256sum_writes_and_reads()
    {
        var sha = new string('a', 64);

        Assert.Equal($"{sha}  lab.db\n", EtcdSnapshotFile.ChecksumLine(sha, "/state/etcd-snapshots/lab.db"));
        Assert.Equal(sha, EtcdSnapshotFile.ParseChecksum($"{sha.ToUpperInvariant()}  lab.db\n"));
        Assert.Null(EtcdSnapshotFile.ParseChecksum("not a checksum"));
        Assert.Null(EtcdSnapshotFile.ParseChecksum(string.Empty));
    }

    [Fact]
    public async Task Restore_refuses_a_snapshot_without_a_checksum_one_that_no_longer_matches_it_and_one_etcd_would_refuse()
    {
        var path = _directory.Combine("lab.db");
        File.Copy(EtcdSamples.PathOf("snapshot.db"), path);

        var missing = await Assert.ThrowsAsync<EtcdSnapshotRefusedException>(() => EtcdSnapshotRestore.VerifyAsync(path + ".missing", CancellationToken.None));
        Assert.EndsWith("lab.db.missing: no such file", missing.Message, StringComparison.Ordinal);
        var directory = await Assert.ThrowsAsync<EtcdSnapshotRefusedException>(() => EtcdSnapshotRestore.VerifyAsync(_directory.Path, CancellationToken.None));
        Assert.Equal($"{_directory.Path} is a directory; expected a snapshot file (`bootstrap etcd snapshot list` names them)", directory.Message);

        var none = await Assert.ThrowsAsync<EtcdSnapshotRefusedException>(() => EtcdSnapshotRestore.VerifyAsync(path, CancellationToken.None));
        Assert.Contains("lab.db.sha256 is missing", none.Message, StringComparison.Ordinal);

        await File.WriteAllTextAsync(path + ".sha256", EtcdSnapshotFile.ChecksumLine(await EtcdSnapshotFile.Sha256Async(path, CancellationToken.None), path));
        var entry = await EtcdSnapshotRestore.VerifyAsync(path, CancellationToken.None);
        Assert.True(entry.Matches);

        var bytes = await File.ReadAllBytesAsync(path);
        bytes[5000] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);
        var changed = await Assert.ThrowsAsync<EtcdSnapshotRefusedException>(() => EtcdSnapshotRestore.VerifyAsync(path, CancellationToken.None));
        Assert.Contains("the file changed or was damaged since it was saved; nothing was stopped", changed.Message, StringComparison.Ordinal);

        // Its checksum rewritten to match: etcd's own sha256 still refuses it.
        await File.WriteAllTextAsync(path + ".sha256", EtcdSnapshotFile.ChecksumLine(await EtcdSnapshotFile.Sha256Async(path, CancellationToken.None), path));
        var damaged = await Assert.ThrowsAsync<EtcdSnapshotRefusedException>(() => EtcdSnapshotRestore.VerifyAsync(path, CancellationToken.None));
        Assert.Contains("is not a snapshot etcd can restore", damaged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_refuses_a_link_that_loops_an_empty_file_and_a_device_before_reading_them()
    {
        // A link that loops was an internal error (IOException); /dev/zero was hashed for ever.
        var loop = _directory.Combine("loop.db");
        File.CreateSymbolicLink(loop, loop);
        var empty = _directory.Combine("empty.db");
        await File.WriteAllBytesAsync(empty, []);

        var looping = await Assert.ThrowsAsync<EtcdSnapshotRefusedException>(() => EtcdSnapshotRestore.VerifyAsync(loop, CancellationToken.None));
        var none = await Assert.ThrowsAsync<EtcdSnapshotRefusedException>(() => EtcdSnapshotRestore.VerifyAsync(empty, CancellationToken.None));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var device = await Assert.ThrowsAsync<EtcdSnapshotRefusedException>(() => EtcdSnapshotRestore.VerifyAsync("/dev/zero", timeout.Token));

        Assert.True(looping.Message.StartsWith($"{loop}: no such file", StringComparison.Ordinal) || looping.Message.StartsWith($"{loop} cannot be read: ", StringComparison.Ordinal), looping.Message);
        Assert.Equal($"{empty} is empty (0 bytes, or not a regular file); expected a snapshot file (`bootstrap etcd snapshot list` names them)", none.Message);
        Assert.StartsWith("/dev/zero is empty (0 bytes, or not a regular file)", device.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_store_lists_a_link_to_a_device_among_the_snapshots_as_empty_content_that_matches_nothing()
    {
        // `etcd snapshot list` hashed /dev/zero for ever.
        var store = new EtcdSnapshotStore(_directory.Path);
        Directory.CreateDirectory(store.Directory);
        File.CreateSymbolicLink(Path.Combine(store.Directory, "zero.db"), "/dev/zero");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var entry = Assert.Single(await store.ListAsync(timeout.Token));

        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(ReadOnlySpan<byte>.Empty)), entry.Sha256);
        Assert.False(entry.Matches);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task The_store_lists_snapshots_newest_first_with_whether_each_matches_its_checksum()
    {
        var store = new EtcdSnapshotStore(_directory.Path);
        Directory.CreateDirectory(store.Directory);
        var older = store.NewPath("lab", new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero));
        var newer = store.NewPath("lab", new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        foreach (var (path, time) in new[] { (older, new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero)), (newer, new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero)) })
        {
            File.Copy(EtcdSamples.PathOf("snapshot.db"), path);
            var sha = await EtcdSnapshotFile.Sha256Async(path, CancellationToken.None);
            await EtcdSnapshotFile.WritePrivateAsync(path + ".sha256", EtcdSnapshotFile.ChecksumLine(sha, path), CancellationToken.None);
            await EtcdSnapshotFile.WritePrivateAsync(path + ".json", EtcdSnapshotFile.Metadata(new EtcdSnapshotMetadata
            {
                Cluster = "lab", Member = "cp1", SavedAt = time, Size = 20512, Sha256 = sha, Hash = 4100506090, Revision = 21, TotalKeys = 27,
            }), CancellationToken.None);
        }

        await File.AppendAllTextAsync(older, "x");
        var list = await store.ListAsync(CancellationToken.None);

        Assert.Equal([newer, older], list.Select(e => e.Path));
        Assert.True(list[0].Matches);
        Assert.False(list[1].Matches);
        Assert.Equal((21L, 27L, "cp1"), (list[0].Metadata!.Revision, list[0].Metadata!.TotalKeys, list[0].Metadata!.Member));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(newer + ".sha256"));
        Assert.Equal("lab-20261201T080000Z.db", Path.GetFileName(newer));
    }
}
