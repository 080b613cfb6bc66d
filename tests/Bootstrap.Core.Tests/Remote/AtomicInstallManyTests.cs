using System.Security.Cryptography;
using Bootstrap.Core.Remote;
using Serilog.Core;

namespace Bootstrap.Core.Tests.Remote;

/// <summary>
/// Several small files in one root command (<see cref="AtomicInstall.UploadSmallAsync"/>), the script run by a real shell on this
/// machine (SSH delivers the same argv and standard input): each file as the one-command upload writes it, one failing not
/// stopping the others.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AtomicInstallManyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bootstrap-many-").FullName;
    private readonly RecordingHost _host = new(new LocalHost("local", new SecretRedactor(), Logger.None));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Manifest => Path.Combine(_dir, "manifest");

    private SmallUpload File(string relative, byte[] content, int mode = 0b110_000_000, string? sha256 = null, string owner = "root") =>
        new(content, new FileSpec(Path.Combine(_dir, relative), mode, owner, "root") { Manifest = Manifest }, sha256 ?? Convert.ToHexStringLower(SHA256.HashData(content)));

    private Task<IReadOnlyList<UploadOutcome>> UploadAsync(params SmallUpload[] files) =>
        AtomicInstall.UploadSmallAsync(_host, files, new SecretRedactor(), Logger.None, CancellationToken.None);

    private IReadOnlyList<string> Leftovers() =>
        [.. Directory.GetFiles(_dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(_dir, f)).Where(f => f.Contains(".bootstrap-", StringComparison.Ordinal))];

    [Fact]
    public async Task Files_in_new_directories_of_any_bytes_are_written_by_one_command_recorded_then_left_alone_then_only_their_mode_fixed()
    {
        // Contents that would misalign a reader that does not take exactly each length: an empty file, newlines, NULs, a partial block.
        SmallUpload[] files =
        [
            File("pki/ca.key", "-----BEGIN PRIVATE KEY-----\nsecret\n"u8.ToArray()),
            File("pki/etcd/empty", []),
            File("pki/etcd/binary", [0, 10, 0, 13, 255, 10, 10]),
            File("admin.conf", RandomNumberGenerator.GetBytes(70_001), mode: 0b110_100_100),
        ];

        var written = await UploadAsync(files);
        var recorded = await System.IO.File.ReadAllLinesAsync(Manifest);
        var again = await UploadAsync(files);
        System.IO.File.SetUnixFileMode(files[2].Target.Path, UnixFileMode.UserRead | UnixFileMode.OtherRead);
        var fixedMode = await UploadAsync(files);

        Assert.Equal(3, _host.Commands.Count);
        Assert.All(_host.Commands, c => Assert.True(c.Sudo));
        Assert.All(files.Zip(written), f => Assert.Equal(new UploadOutcome(new UploadResult(true, f.First.Sha256), null), f.Second));
        Assert.All(files.Zip(again), f => Assert.Equal(new UploadOutcome(new UploadResult(false, f.First.Sha256), null), f.Second));
        Assert.Equal([false, false, true, false], fixedMode.Select(o => o.Result!.Changed));
        foreach (var file in files)
        {
            Assert.Equal(file.Content, await System.IO.File.ReadAllBytesAsync(file.Target.Path));
            Assert.Equal((UnixFileMode)file.Target.Mode, System.IO.File.GetUnixFileMode(file.Target.Path));
            Assert.Contains(recorded, l => l.StartsWith(file.Sha256 + " " + file.Content.Length + " ", StringComparison.Ordinal) && l.EndsWith(" " + file.Target.Path, StringComparison.Ordinal));
        }

        Assert.Equal(4, recorded.Length);
        // Recording a file sets umask 077 for its own sake: a directory made for a later file of the same command keeps the usual mode.
        Assert.Equal(System.IO.File.GetUnixFileMode(Path.Combine(_dir, "pki")), System.IO.File.GetUnixFileMode(Path.Combine(_dir, "pki", "etcd")));
        Assert.Empty(Leftovers());
    }

    [Fact]
    public async Task A_file_that_arrives_with_another_sha256_or_fails_a_step_is_left_untouched_and_named_and_the_others_are_written()
    {
        var old = Path.Combine(_dir, "sa.key");
        await System.IO.File.WriteAllTextAsync(old, "old\n");
        SmallUpload[] files =
        [
            File("first.crt", "first\n"u8.ToArray()),
            File("sa.key", "new\n"u8.ToArray(), sha256: new string('0', 64)),
            File("owned.crt", "owned\n"u8.ToArray(), owner: "no-such-user-" + Guid.NewGuid().ToString("N")[..8]),
            File("last.crt", "last\n"u8.ToArray()),
        ];

        var outcomes = await UploadAsync(files);

        Assert.Single(_host.Commands);
        Assert.True(outcomes[0].Result!.Changed);
        Assert.Contains($"the uploaded copy of {old} has sha256 {Convert.ToHexStringLower(SHA256.HashData("new\n"u8))}", outcomes[1].Error!.Message, StringComparison.Ordinal);
        Assert.Contains($"writing {files[2].Target.Path} failed", outcomes[2].Error!.Message, StringComparison.Ordinal);
        Assert.Contains("no-such-user-", outcomes[2].Error!.Message, StringComparison.Ordinal);
        Assert.True(outcomes[3].Result!.Changed);
        Assert.Equal("old\n", await System.IO.File.ReadAllTextAsync(old));
        Assert.False(System.IO.File.Exists(files[2].Target.Path));
        Assert.Equal("last\n", await System.IO.File.ReadAllTextAsync(files[3].Target.Path));
        Assert.Empty(Leftovers());
    }

    [Fact]
    public async Task Files_beyond_one_commands_limit_go_in_further_commands_and_a_file_over_it_goes_on_its_own()
    {
        var half = (int)(AtomicInstall.OneCommandLimit / 2);
        SmallUpload[] files =
        [
            File("a", RandomNumberGenerator.GetBytes(half)),
            File("b", RandomNumberGenerator.GetBytes(half)),
            File("c", RandomNumberGenerator.GetBytes(10)),
            File("big", RandomNumberGenerator.GetBytes((int)AtomicInstall.OneCommandLimit + 1)),
            File("d", RandomNumberGenerator.GetBytes(10)),
            File("e", RandomNumberGenerator.GetBytes(10)),
        ];

        var outcomes = await UploadAsync(files);

        Assert.All(outcomes, o => Assert.True(o.Result?.Changed, o.Error?.Message));
        // Two commands' worth of files, side by side: a, b, c and big, d, e. a+b fill one command, and c, left alone, goes as an
        // upload of its own; big, over the limit, too; d+e in a last command.
        Assert.Equal([2, 2], _host.Commands.Select(c => (c.Argv.Count - 4) / 9));
        Assert.All(files, f => Assert.Equal(f.Content, System.IO.File.ReadAllBytes(f.Target.Path)));
        Assert.Empty(Leftovers());
    }

    [Fact]
    public async Task A_content_cut_short_fails_every_file_from_it_on_and_installs_nothing_it_misread()
    {
        SmallUpload[] files = [File("one", "one\n"u8.ToArray()), File("two", "two\n"u8.ToArray()), File("three", "three\n"u8.ToArray())];
        var command = AtomicInstall.ManyCommand(files);

        // The input ends inside the second file: the second is short (its sha256 differs), the third gets nothing at all.
        var result = await _host.RunAsync(command with { Stdin = command.Stdin![..6] }, CancellationToken.None);

        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("0 0 ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("1 3 ", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("2 3 ", lines[2], StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(files[1].Target.Path));
        Assert.False(System.IO.File.Exists(files[2].Target.Path));
        Assert.Empty(Leftovers());
    }

    [Fact]
    public async Task Many_files_are_shared_out_among_at_most_four_commands_side_by_side()
    {
        var files = Enumerable.Range(0, 22).Select(i => File($"pki/f{i}.crt", System.Text.Encoding.UTF8.GetBytes($"{i}\n"), mode: 0b110_100_100)).ToArray();

        var outcomes = await UploadAsync(files);

        Assert.All(outcomes, o => Assert.True(o.Result?.Changed, o.Error?.Message));
        Assert.Equal([4, 6, 6, 6], _host.Commands.Select(c => (c.Argv.Count - 4) / 9).Order());
        Assert.All(files, f => Assert.Equal(f.Content, System.IO.File.ReadAllBytes(f.Target.Path)));
        Assert.Empty(Leftovers());
    }

    [Fact]
    public async Task A_temp_name_that_is_taken_fails_that_file_alone_and_the_file_in_the_way_is_kept()
    {
        // The temp file's name is the command's pid and the file's index: one left by another command is never written through.
        SmallUpload[] files = [File("one", "one\n"u8.ToArray()), File("two", "two\n"u8.ToArray())];
        var command = AtomicInstall.ManyCommand(files);
        var blocker = Path.Combine(_dir, ".one.bootstrap-");

        // sh -c 'exec sh -c "$0" "$@"': the inner shell has the pid of the outer one, which makes the file in the way first.
        var result = await _host.RunAsync(
            new RemoteCommand(["sh", "-c", "echo kept > \"$1$$-0\"; shift; exec sh -c \"$@\"", "outer", blocker, .. command.Argv.Skip(2)], sudo: true) { Stdin = command.Stdin },
            CancellationToken.None);

        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("0 1", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("1 0 ", lines[1], StringComparison.Ordinal);
        Assert.Contains("cannot create its temp file", result.Stderr, StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(files[0].Target.Path));
        Assert.Equal("two\n", await System.IO.File.ReadAllTextAsync(files[1].Target.Path));
        Assert.Equal("kept\n", await System.IO.File.ReadAllTextAsync(Directory.GetFiles(_dir, ".one.bootstrap-*").Single()));
    }

    [Fact]
    public void The_contents_travel_on_standard_input_never_in_the_arguments()
    {
        var key = "-----BEGIN PRIVATE KEY-----\nsecret-material\n"u8.ToArray();
        var command = AtomicInstall.ManyCommand([File("a.key", key), File("b.key", key)]);

        Assert.Equal([.. key, .. key], command.Stdin!);
        Assert.DoesNotContain(command.Argv, a => a.Contains("secret-material", StringComparison.Ordinal));
    }
}
