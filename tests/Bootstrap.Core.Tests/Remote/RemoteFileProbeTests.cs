using System.Security.Cryptography;
using Bootstrap.Core.Remote;
using Serilog;

namespace Bootstrap.Core.Tests.Remote;

/// <summary>The probe of files run for real through LocalHost (the same commands as over SSH), with a manifest of installed files in a temp directory.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RemoteFileProbeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bootstrap-probe-").FullName;
    private readonly SecretRedactor _redactor = new();
    private readonly RecordingHost _host;

    public RemoteFileProbeTests() => _host = new RecordingHost(new LocalHost("local", _redactor, new LoggerConfiguration().CreateLogger()));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Manifest => Path.Combine(_root, "state", "installed-files");

    [Fact]
    public async Task Stat_reports_a_regular_file_its_mode_owner_and_identity_and_a_directory_as_not_regular()
    {
        var file = Write("with space.bin", 1000);
        File.SetUnixFileMode(file, (UnixFileMode)0b111_101_000);

        var (stats, manifest) = await RemoteFileProbe.StatAsync(_host, [file, _root, Path.Combine(_root, "missing")], Manifest, CancellationToken.None);

        var stat = stats[file]!;
        Assert.True(stat.IsRegular);
        Assert.Equal(0b111_101_000, stat.Mode);
        Assert.Equal(1000, stat.Identity.Size);
        Assert.Equal(new FileInfo(file).LastWriteTimeUtc, DateTime.UnixEpoch.AddTicks(stat.Identity.ModifiedNs / 100));
        Assert.False(stats[_root]!.IsRegular);
        Assert.Null(stats[Path.Combine(_root, "missing")]);
        Assert.Empty(manifest!.Entries);
    }

    [Fact]
    public async Task The_first_probe_hashes_every_file_and_once_they_are_recorded_the_next_runs_stat_alone()
    {
        string[] files = [Write("kube-apiserver", 3 * 1024 * 1024), Write("etcd", 2048)];

        var first = await ProbeAsync(files);
        await RecordAsync(first);
        _host.Clear();
        var second = await ProbeAsync(files);

        Assert.Equal(files.Select(Sha256Of), files.Select(f => first.States[f]!.Sha256));
        Assert.Equal(files.Order(StringComparer.Ordinal), first.Hashed.Select(h => h.Path).Order(StringComparer.Ordinal));
        Assert.Single(_host.Commands);
        Assert.Empty(_host.Hashes);
        Assert.Empty(second.Hashed);
        Assert.Equal(files.Select(f => first.States[f]), files.Select(f => second.States[f]));
    }

    [Fact]
    public async Task A_file_rewritten_with_its_size_and_mtime_put_back_is_hashed_again_because_its_ctime_moved()
    {
        var file = Write("kubelet", 4096);
        var other = Write("kubectl", 10);
        await RecordAsync(await ProbeAsync([file, other]));
        var recorded = (await RemoteFileProbe.StatAsync(_host, [file], null, CancellationToken.None)).Stats[file]!.Identity;
        var mtime = await Run("stat", "-c", "%.9Y", "--", file);
        // The kernel stamps ctime from a clock that moves in ticks of a few milliseconds: let one pass, so the rewrite gets a later one.
        await Task.Delay(20);

        await File.WriteAllBytesAsync(file, RandomNumberGenerator.GetBytes(4096));
        await Run("touch", "-m", "-d", "@" + mtime.Trim(), "--", file);
        _host.Clear();
        var probe = await ProbeAsync([file, other]);

        var now = (await RemoteFileProbe.StatAsync(_host, [file], null, CancellationToken.None)).Stats[file]!.Identity;
        Assert.Equal((recorded.Size, recorded.ModifiedNs, recorded.Inode), (now.Size, now.ModifiedNs, now.Inode));
        Assert.NotEqual(recorded.ChangedNs, now.ChangedNs);
        Assert.Equal([[file]], _host.Hashes);
        Assert.Equal(Sha256Of(file), probe.States[file]!.Sha256);
    }

    [Fact]
    public async Task A_file_replaced_by_a_rename_is_hashed_again()
    {
        var file = Write("haproxy.cfg", 64);
        await RecordAsync(await ProbeAsync([file]));
        var replacement = Write("haproxy.cfg.new", 64);

        File.Move(replacement, file, overwrite: true);
        _host.Clear();
        var probe = await ProbeAsync([file]);

        Assert.Equal([[file]], _host.Hashes);
        Assert.Equal(Sha256Of(file), probe.States[file]!.Sha256);
    }

    [Fact]
    public async Task A_malformed_or_foreign_manifest_is_ignored_and_every_file_hashed()
    {
        var file = Write("scheduler.conf", 100);
        var stat = (await RemoteFileProbe.StatAsync(_host, [file], null, CancellationToken.None)).Stats[file]!;
        Directory.CreateDirectory(Path.GetDirectoryName(Manifest)!);
        await File.WriteAllTextAsync(Manifest, string.Join('\n',
            "garbage \0 \u00ff",
            $"{new string('c', 64)} {stat.Identity} {file}.other",
            $"{new string('c', 64)} {stat.Identity with { ChangedNs = 1 }} {file}",
            $"{new string('C', 64)} {stat.Identity} {file}",
            $"{new string('c', 64)} {stat.Identity}",
            // Right but for its newline: the last line of an append cut short.
            $"{new string('c', 64)} {stat.Identity} {file}"));
        _host.Clear();

        var probe = await ProbeAsync([file]);

        Assert.Equal([[file]], _host.Hashes);
        Assert.Equal(Sha256Of(file), probe.States[file]!.Sha256);
    }

    [Fact]
    public async Task A_manifest_that_cannot_be_read_is_taken_as_empty()
    {
        var file = Write("admin.conf", 100);
        Directory.CreateDirectory(Manifest);

        var probe = await ProbeAsync([file]);

        Assert.Equal([[file]], _host.Hashes);
        Assert.Empty(probe.Manifest!.Entries);
    }

    [Fact]
    public async Task A_device_in_the_manifests_place_or_a_files_is_never_read_and_the_file_hashes_as_empty()
    {
        // /dev/zero linked in a certificate's place was hashed without end; in the manifest's, it would be read without end.
        var file = Write("admin.conf", 100);
        var device = Path.Combine(_root, "ca.key");
        File.CreateSymbolicLink(device, "/dev/zero");
        Directory.CreateDirectory(Path.GetDirectoryName(Manifest)!);
        File.CreateSymbolicLink(Manifest, "/dev/zero");

        var probe = await ProbeAsync([file, device]).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Empty(probe.Manifest!.Entries);
        Assert.Equal(RemoteFileState.EmptySha256, probe.States[device]!.Sha256);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))), probe.States[file]!.Sha256);
    }

    [Fact]
    public async Task Without_a_manifest_to_read_every_file_is_hashed_each_time_as_verify_does()
    {
        var file = Write("kube-proxy", 100);
        await RecordAsync(await ProbeAsync([file]));
        _host.Clear();

        var probe = await RemoteFileProbe.ProbeAsync(_host, [file], manifest: null, known: null, _redactor, CancellationToken.None);

        Assert.Equal([[file]], _host.Hashes);
        Assert.Null(probe.Manifest);
        Assert.Equal(["env", "LC_ALL=C", "stat"], _host.Commands[0].Argv.Take(3));
    }

    [Fact]
    public async Task The_installing_rename_records_the_file_and_the_next_probe_hashes_nothing()
    {
        var target = Path.Combine(_root, "etc", "kubelet.conf");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = Write("etc/.kubelet.conf.tmp", 300);
        var sha256 = Sha256Of(temp);

        await _host.RunCheckedAsync(InstalledFilesManifest.CommitCommand(Manifest, sha256, temp, target), _redactor, CancellationToken.None);
        _host.Clear();
        var probe = await ProbeAsync([target]);

        Assert.False(File.Exists(temp));
        Assert.Empty(_host.Hashes);
        Assert.Equal(sha256, probe.States[target]!.Sha256);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Manifest));
    }

    [Fact]
    public async Task A_failed_rename_fails_the_install_command_and_records_nothing()
    {
        var result = await _host.RunAsync(
            InstalledFilesManifest.CommitCommand(Manifest, new string('a', 64), Path.Combine(_root, "no-such-temp"), Path.Combine(_root, "target")), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.False(File.Exists(Manifest));
    }

    private Task<FileProbe> ProbeAsync(IReadOnlyList<string> paths) =>
        RemoteFileProbe.ProbeAsync(_host, paths, Manifest, known: null, _redactor, CancellationToken.None);

    /// <summary>What a run that completed does with the files a probe hashed: the manifest read again with their stat, merged, written.</summary>
    private async Task RecordAsync(FileProbe probe)
    {
        var (stats, current) = await RemoteFileProbe.StatAsync(_host, [.. probe.Hashed.Select(h => h.Path)], Manifest, CancellationToken.None);
        await _host.RunCheckedAsync(InstalledFilesManifest.WriteCommand(Manifest, current!.Merge(stats, probe.Hashed)), _redactor, CancellationToken.None);
    }

    private async Task<string> Run(params string[] argv) =>
        (await _host.RunCheckedAsync(new RemoteCommand(argv), _redactor, CancellationToken.None)).Stdout;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_probe_cut_out_of_one_probe_of_all_paths_is_exactly_what_it_returns_alone(bool withManifest)
    {
        // Real stat on real files, through LocalHost: three phases' probes, overlapping, with missing files.
        var a = Write("a", 10);
        var b = Write("b b", 20);
        var c = Write("c", 30);
        if (withManifest)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Manifest)!);
            await File.WriteAllTextAsync(Manifest, "not even a manifest\n");
        }

        string[][] probes = [[a, Path.Combine(_root, "gone")], [c, b, a], [Path.Combine(_root, "missing"), Path.Combine(_root, "gone")], [b]];
        var merged = await _host.RunAsync(new RemoteCommand(RemoteFileProbe.ProbeArgv(Manifest, probes.SelectMany(p => p).Distinct()), sudo: false), CancellationToken.None);

        foreach (var paths in probes)
        {
            var alone = await _host.RunAsync(new RemoteCommand(RemoteFileProbe.ProbeArgv(Manifest, paths), sudo: false), CancellationToken.None);
            Assert.Equal(alone, RemoteFileProbe.Split(merged, paths));
            Assert.Equal(RemoteFileProbe.AsProbe(RemoteFileProbe.ProbeArgv(Manifest, paths)), (Manifest, (IReadOnlyList<string>)paths), ProbeComparer.Instance);
        }
    }

    [Fact]
    public void A_merged_result_with_anything_but_stat_lines_and_missing_files_is_not_cut()
    {
        var line = $"81a4 root root 10 1.000000000 1.000000000 12 34 /x";
        var marker = RemoteFileProbe.ManifestMarker + "\n";

        Assert.NotNull(RemoteFileProbe.Split(new CommandResult(0, line + "\n" + marker, string.Empty), ["/x"]));
        Assert.Null(RemoteFileProbe.Split(new CommandResult(1, line + "\n" + marker, "stat: cannot statx '/y': Permission denied\n"), ["/x"]));
        Assert.Null(RemoteFileProbe.Split(new CommandResult(0, line + "\n" + "garbage\n" + marker, string.Empty), ["/x"]));
        Assert.Null(RemoteFileProbe.Split(new CommandResult(0, line + "\n", string.Empty), ["/x"]));
        Assert.Null(RemoteFileProbe.Split(new CommandResult(0, line + "\n" + marker, string.Empty), ["/x", "/unaccounted"]));
        Assert.Null(RemoteFileProbe.Split(new CommandResult(2, line + "\n" + marker, string.Empty), ["/x"]));
    }

    private sealed class ProbeComparer : IEqualityComparer<(string Manifest, IReadOnlyList<string> Paths)?>
    {
        public static readonly ProbeComparer Instance = new();

        public bool Equals((string Manifest, IReadOnlyList<string> Paths)? x, (string Manifest, IReadOnlyList<string> Paths)? y) =>
            x is { } l && y is { } r && l.Manifest == r.Manifest && l.Paths.SequenceEqual(r.Paths);

        public int GetHashCode((string Manifest, IReadOnlyList<string> Paths)? obj) => obj?.Manifest.GetHashCode(StringComparison.Ordinal) ?? 0;
    }

    private string Write(string name, int size)
    {
        var path = Path.Combine(_root, name);
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(size));
        return path;
    }

    private static string Sha256Of(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
