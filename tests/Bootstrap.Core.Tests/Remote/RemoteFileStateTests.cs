using System.Security.Cryptography;
using Bootstrap.Core.Remote;
using Serilog;

namespace Bootstrap.Core.Tests.Remote;

/// <summary>The remote digest command run for real through LocalHost, with and without openssl on the PATH.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RemoteFileStateTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bootstrap-digest-").FullName;
    private readonly LocalHost _host = new("local", new SecretRedactor(), new LoggerConfiguration().CreateLogger());

    public void Dispose() => Directory.Delete(_root, recursive: true);

    public static TheoryData<bool> WithOpenssl => new() { true, false };

    [Theory]
    [MemberData(nameof(WithOpenssl))]
    public async Task Each_file_gets_a_line_with_its_sha256_and_its_path_from_column_66(bool withOpenssl)
    {
        string[] paths = [Write("plain.bin", 3 * 1024 * 1024), Write("with space '$x'.pem", 17), Write("empty", 0)];

        var result = await _host.RunAsync(OnPath(withOpenssl, RemoteFileState.Sha256Command(paths)), CancellationToken.None);

        Assert.True(result.Succeeded, result.Stderr);
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(paths, lines.Select(l => l[66..]));
        Assert.Equal(paths.Select(Sha256Of), lines.Select(RemoteFileState.ParseSha256Sum));
    }

    [Theory]
    [MemberData(nameof(WithOpenssl))]
    public async Task A_missing_file_fails_the_command_and_the_others_are_still_hashed(bool withOpenssl)
    {
        var present = Write("present", 5);

        var result = await _host.RunAsync(OnPath(withOpenssl, RemoteFileState.Sha256Command([Path.Combine(_root, "missing"), present])), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Contains("No such file or directory", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(Sha256Of(present), RemoteFileState.ParseSha256Sum(Assert.Single(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))));
    }

    [Theory]
    [MemberData(nameof(WithOpenssl))]
    public async Task A_path_that_is_no_regular_file_is_never_read_and_hashes_as_empty_content(bool withOpenssl)
    {
        // /dev/zero linked in a certificate's place was hashed without end (and a FIFO's open waits for a writer).
        var device = Path.Combine(_root, "ca.crt");
        File.CreateSymbolicLink(device, "/dev/zero");
        var directory = Directory.CreateDirectory(Path.Combine(_root, "a directory")).FullName;
        var linked = Path.Combine(_root, "linked.crt");
        var present = Write("present", 5);
        File.CreateSymbolicLink(linked, present);

        var result = await _host.RunAsync(OnPath(withOpenssl, RemoteFileState.Sha256Command([device, present, directory, linked])), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(result.Succeeded, result.Stderr);
        var sums = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToDictionary(l => l[66..], RemoteFileState.ParseSha256Sum);
        Assert.Equal(RemoteFileState.EmptySha256, sums[device]);
        Assert.Equal(RemoteFileState.EmptySha256, sums[directory]);
        Assert.Equal(Sha256Of(present), sums[present]);
        Assert.Equal(Sha256Of(present), sums[linked]);
        Assert.Equal(RemoteFileState.EmptySha256, Convert.ToHexStringLower(SHA256.HashData([])));
    }

    [Fact]
    public async Task A_small_file_read_is_a_regular_files_bytes_and_refuses_anything_else()
    {
        var present = Write("present", 5);
        var device = Path.Combine(_root, "zero");
        File.CreateSymbolicLink(device, "/dev/zero");

        var read = await _host.RunAsync(RemoteFileRead.Command(present), CancellationToken.None);
        var refused = await _host.RunAsync(RemoteFileRead.Command(device), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        var missing = await _host.RunAsync(RemoteFileRead.Command(Path.Combine(_root, "missing")), CancellationToken.None);

        Assert.Equal(File.ReadAllText(present), read.Stdout);
        Assert.Equal(2, refused.ExitCode);
        Assert.Equal($"{device} {RemoteFileRead.NotRegular}", refused.Stderr.Trim());
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("No such file or directory", missing.Stderr, StringComparison.Ordinal);
        Assert.Null(await _host.DownloadAsync(Path.Combine(_root, "missing"), CancellationToken.None));
    }

    [Fact]
    public void Sha256sum_and_openssl_output_parse_to_the_lower_case_digest()
    {
        var digest = new string('a', 64);

        Assert.Equal(digest, RemoteFileState.ParseSha256Sum(digest.ToUpperInvariant() + "  /etc/x\n"));
        Assert.Equal(digest, RemoteFileState.ParseSha256Sum(digest + " */etc/x\n"));
        Assert.Throws<FormatException>(() => RemoteFileState.ParseSha256Sum("sha256sum: /etc/x: No such file or directory\n"));
    }

    /// <summary>Runs the command with a PATH that has openssl, or one holding only a shell and coreutils' sha256sum.</summary>
    private RemoteCommand OnPath(bool withOpenssl, RemoteCommand command)
    {
        if (withOpenssl)
        {
            Assert.NotNull(Which("openssl"));
            return command;
        }

        var bin = Directory.CreateDirectory(Path.Combine(_root, "bin")).FullName;
        foreach (var tool in new[] { "sh", "sha256sum" })
        {
            File.CreateSymbolicLink(Path.Combine(bin, tool), Which(tool) ?? throw new InvalidOperationException($"{tool} is not installed"));
        }

        return new RemoteCommand(["/usr/bin/env", "PATH=" + bin, .. command.Argv], command.Sudo);
    }

    private static string? Which(string tool) =>
        Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    private string Write(string name, int size)
    {
        var path = Path.Combine(_root, name);
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(size));
        return path;
    }

    private static string Sha256Of(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
