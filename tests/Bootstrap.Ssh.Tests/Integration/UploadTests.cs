using System.Collections.Concurrent;
using System.Security.Cryptography;
using Bootstrap.Core.Remote;
using Bootstrap.Ssh.Tests.Infrastructure;

namespace Bootstrap.Ssh.Tests.Integration;

[Collection(SshdCollection.Name)]
[Trait("Category", "Sshd")]
public sealed class UploadTests(SshdFixture sshd) : IDisposable
{
    private const int Size = 100 * 1024 * 1024;
    private readonly string _remoteDir = Directory.CreateDirectory($"/var/tmp/bootstrap-upload-{Guid.NewGuid():N}").FullName;
    private readonly string _source = Path.Combine(sshd.Root, $"big-{Guid.NewGuid():N}.bin");

    private string Target => Path.Combine(_remoteDir, "big.bin");

    public void Dispose()
    {
        Directory.Delete(_remoteDir, recursive: true);
        File.Delete(_source);
    }

    [Fact]
    public async Task A_100_MB_upload_arrives_whole_with_mode_and_owner_on_the_command_connection_alone_and_is_skipped_the_second_time()
    {
        var sha256 = WriteRandomSource();
        var spec = new FileSpec(Target, Mode: 0b110_100_000, Owner: "nobody", Group: "nogroup");
        var (host, logins) = await sshd.ConnectCountingAsync();
        await using var disposeHost = host;
        using var watcher = new TargetWatcher(Target);

        UploadResult first;
        await using (var file = File.OpenRead(_source))
        {
            first = await host.UploadAsync(file, spec, CancellationToken.None);
        }

        var seen = await watcher.StopAsync();
        UploadResult second;
        await using (var file = File.OpenRead(_source))
        {
            second = await host.UploadAsync(file, spec, CancellationToken.None);
        }

        Assert.Equal(new UploadResult(true, sha256), first);
        Assert.Equal(new UploadResult(false, sha256), second);
        Assert.Equal(sha256, Sha256Of(Target));
        Assert.Equal("640 nobody nogroup\n", Proc.Run("stat", "-c", "%a %U %G", Target));
        Assert.NotEmpty(seen);
        Assert.All(seen, size => Assert.Equal(Size, size));
        Assert.Equal(["big.bin"], Directory.GetFiles(_remoteDir).Select(Path.GetFileName));
        await sshd.AssertNoLoginSinceAsync(logins);
    }

    // Binaries are staged up to four at a time on a host: each upload streams on its own channel of the host's connection.
    [Fact]
    public async Task Four_big_uploads_side_by_side_on_one_host_each_arrive_whole()
    {
        var sha256 = WriteRandomSource();
        await using var host = await sshd.ConnectAsync(sshd.Settings());

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(async i =>
        {
            await using var file = File.OpenRead(_source);
            return await host.UploadAsync(file, new FileSpec(Path.Combine(_remoteDir, $"side-{i}.bin"), Mode: 0b111_101_101), CancellationToken.None);
        }));

        Assert.All(results, r => Assert.Equal(new UploadResult(true, sha256), r));
        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal(sha256, Sha256Of(Path.Combine(_remoteDir, $"side-{i}.bin"))));
        Assert.Equal(4, Directory.GetFiles(_remoteDir).Length);
    }

    [Fact]
    public async Task A_cut_upload_leaves_the_old_file_and_no_partial_or_temp_file()
    {
        WriteRandomSource();
        var spec = new FileSpec(Target, Mode: 0b110_000_000);
        await using var host = await sshd.ConnectAsync(sshd.Settings());
        await host.UploadAsync("old content\n"u8.ToArray(), spec, CancellationToken.None);
        using var watcher = new TargetWatcher(Target);
        using var cancel = new CancellationTokenSource();

        // The content is read once to hash it, then again to send it: cut 30 MB into the sending.
        // Every read of the sending pass also looks at the target, so what a reader saw while bytes were on
        // their way is sampled in step with the transfer, however fast or loaded the machine is.
        var whileSending = new List<long>();
        void LookWhileSending(long total)
        {
            if (total > Size && File.Exists(Target))
            {
                whileSending.Add(new FileInfo(Target).Length);
            }
        }

        await using (var file = new CancelAfterBytesStream(File.OpenRead(_source), Size + (30L * 1024 * 1024), cancel, LookWhileSending))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.UploadAsync(file, spec, cancel.Token));

            // It stopped sending: the content was not read to its end a second time.
            Assert.InRange(file.BytesRead, Size + 1, (2L * Size) - 1);
        }

        var seen = await watcher.StopAsync();
        Assert.Equal("old content\n", await File.ReadAllTextAsync(Target));
        Assert.True(whileSending.Count > 10, $"only {whileSending.Count} reads while sending");
        Assert.All(whileSending.Concat(seen), size => Assert.Equal("old content\n".Length, size));
        Assert.Equal(["big.bin"], Directory.GetFiles(_remoteDir).Select(Path.GetFileName));
    }

    private static string Sha256Of(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }

    private string WriteRandomSource()
    {
        var chunk = new byte[1024 * 1024];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var file = File.Create(_source))
        {
            for (var i = 0; i < Size / chunk.Length; i++)
            {
                RandomNumberGenerator.Fill(chunk);
                hash.AppendData(chunk);
                file.Write(chunk);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Samples the target path's size while an upload runs: every size a reader could have seen.</summary>
    private sealed class TargetWatcher : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentBag<long> _sizes = [];
        private readonly Task _loop;

        private readonly string _path;

        public TargetWatcher(string path)
        {
            _path = path;
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    Sample();
                    await Task.Delay(2);
                }
            });
        }

        /// <summary>Stops sampling; the last sample is the final state, so the result is never empty when the file exists.</summary>
        public async Task<IReadOnlyCollection<long>> StopAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            Sample();
            return _sizes;
        }

        public void Dispose() => _stop.Dispose();

        private void Sample()
        {
            var info = new FileInfo(_path);
            if (info.Exists)
            {
                _sizes.Add(info.Length);
            }
        }
    }
}
