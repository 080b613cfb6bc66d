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

    // A staged binary the plan found missing (FileSpec.Differs): sent in the one root command that writes, checks and renames it.
    [Fact]
    public async Task A_100_MB_upload_the_caller_knows_the_host_lacks_goes_in_one_command_and_replaces_the_target_whole_then_is_left_alone()
    {
        var sha256 = WriteRandomSource();
        await File.WriteAllTextAsync(Target, "old content\n");
        var spec = new FileSpec(Target, Mode: 0b110_100_000, Owner: "nobody", Group: "nogroup") { Differs = true };
        var logs = new LogCapture();
        await using var host = await sshd.ConnectAsync(sshd.Settings(), logs.Logger);
        var connecting = logs.Events.Count;
        using var watcher = new TargetWatcher(Target);

        UploadResult first;
        await using (var file = File.OpenRead(_source))
        {
            first = await host.UploadAsync(file, spec, CancellationToken.None);
        }

        var seen = await watcher.StopAsync();
        var commands = logs.Events.Skip(connecting).Count(e => e.MessageTemplate.Text == "{Host}: running {Command}");
        UploadResult second;
        await using (var file = File.OpenRead(_source))
        {
            second = await host.UploadAsync(file, spec with { Sha256 = sha256 }, CancellationToken.None);
        }

        Assert.Equal(new UploadResult(true, sha256), first);
        Assert.Equal(1, commands);
        Assert.Equal(new UploadResult(false, sha256), second);
        Assert.Equal(sha256, Sha256Of(Target));
        Assert.Equal("640 nobody nogroup\n", Proc.Run("stat", "-c", "%a %U %G", Target));
        Assert.All(seen, size => Assert.True(size is Size or 12, $"a reader saw {size} bytes"));
        Assert.Equal(["big.bin"], Directory.GetFiles(_remoteDir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_one_command_upload_whose_copy_has_another_sha256_or_is_cut_leaves_the_old_file_and_no_temp_file()
    {
        var sha256 = WriteRandomSource();
        await using var host = await sshd.ConnectAsync(sshd.Settings());
        await host.UploadAsync("old content\n"u8.ToArray(), new FileSpec(Target, Mode: 0b110_000_000), CancellationToken.None);
        var wrong = new string('0', 64);
        var spec = new FileSpec(Target, Mode: 0b110_000_000) { Differs = true };

        IOException differs;
        await using (var file = File.OpenRead(_source))
        {
            differs = await Assert.ThrowsAsync<IOException>(() => host.UploadAsync(file, spec with { Sha256 = wrong }, CancellationToken.None));
        }

        var tempAfterMismatch = Directory.GetFiles(_remoteDir).Select(Path.GetFileName).ToList();
        using var cancel = new CancellationTokenSource();
        await using (var file = new CancelAfterBytesStream(File.OpenRead(_source), 30L * 1024 * 1024, cancel))
        {
            // With the sha256 given, the content is read once, to send it: cut 30 MB in.
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.UploadAsync(file, spec with { Sha256 = sha256 }, cancel.Token));
            Assert.InRange(file.BytesRead, 30L * 1024 * 1024, Size - 1);
        }

        // The host's command ends when its input does (the channel closed): its temp file goes with it.
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (Directory.GetFiles(_remoteDir).Length > 1 && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
        }

        Assert.Equal($"node1: the uploaded copy of {Target} has sha256 {sha256}, expected {wrong}; the target was left untouched.", differs.Message);
        Assert.Equal(["big.bin"], tempAfterMismatch);
        Assert.Equal("old content\n", await File.ReadAllTextAsync(Target));
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
