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
