using System.Diagnostics;
using System.Runtime.Versioning;
using Bootstrap.Core.Config;
using Bootstrap.Core.Pki;
using Bootstrap.Core.Tests.Pki;

namespace Bootstrap.Core.Tests.Cli;

/// <summary>
/// The built CLI run as a user the files refuse, as an admin's own files refuse them: as <c>nobody</c> (through <c>runuser</c>)
/// when the tests run as root, who may read anything; as the tests' own user otherwise. A file this user cannot see must not be
/// said to be missing, and a state file its owner cannot read must not send the admin to run as its owner.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class UnprivilegedUserTests : IDisposable
{
    private const UnixFileMode Traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly TemporaryDirectory _directory = new();

    public UnprivilegedUserTests() => File.SetUnixFileMode(_directory.Path, Traversable);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task An_identity_file_behind_a_directory_this_user_may_not_search_is_not_said_to_be_missing()
    {
        // It said "identity file "/root/.ssh/id_ed25519" does not exist" to a user who could not look into /root/.ssh.
        var keys = _directory.Combine("keys");
        Directory.CreateDirectory(keys);
        TestKeys.Write(Path.Combine(keys, "id_ecdsa"));
        var knownHosts = _directory.Combine("known_hosts");
        await File.WriteAllTextAsync(knownHosts, string.Empty);
        File.SetUnixFileMode(knownHosts, Readable);
        var cluster = _directory.Combine("cluster.yaml");
        var text = (await File.ReadAllTextAsync(LabCluster.ExampleFile))
            .Replace("/var/cache/bootstrap-lab/ssh/id_ed25519", Path.Combine(keys, "id_ecdsa"), StringComparison.Ordinal)
            .Replace("/var/lib/bootstrap-lab/known_hosts", knownHosts, StringComparison.Ordinal);
        await File.WriteAllTextAsync(cluster, text);
        File.SetUnixFileMode(cluster, Readable);
        File.SetUnixFileMode(keys, Environment.IsPrivilegedProcess ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute : UnixFileMode.None);
        try
        {
            var (exitCode, _, error) = await RunUnprivilegedAsync("validate", "-f", cluster);

            Assert.Equal(2, exitCode);
            Assert.Contains($"identity file \"{keys}/id_ecdsa\" cannot be read by this user (permission denied on \"{keys}\")", error, StringComparison.Ordinal);
            Assert.DoesNotContain("does not exist", error, StringComparison.Ordinal);
        }
        finally
        {
            File.SetUnixFileMode(keys, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public async Task A_state_directory_of_another_user_is_one_this_user_cannot_use_not_one_that_cannot_be_created()
    {
        // "cannot create the state directory STATE: permission denied", for a directory that was there, another user's.
        var state = _directory.Combine("state");
        await new PkiManager(TimeProvider.System).EnsureAsync(PkiRequests.Single() with { KeyAlgorithm = KeyAlgorithm.EcdsaP256 }, state, CancellationToken.None);
        foreach (var entry in Directory.EnumerateFileSystemEntries(state, "*", SearchOption.AllDirectories).Prepend(state))
        {
            File.SetUnixFileMode(entry, Directory.Exists(entry) ? Traversable : Readable);
        }

        // As the tests' own user, a directory of root's stands for another user's (root's own would be changed to 0700).
        var other = Environment.IsPrivilegedProcess ? state : "/usr/share";
        var (exitCode, _, error) = await RunUnprivilegedAsync("certs", "renew", "all", "--state-dir", other);

        Assert.Equal(1, exitCode);
        Assert.Equal($"cannot use the state directory {other}: permission denied (run as the user the state belongs to)\n", error);
    }

    [Fact]
    public void A_state_file_its_own_owner_may_not_read_is_said_to_need_its_mode_back_not_another_user()
    {
        var path = _directory.Combine("ca.key");
        File.WriteAllText(path, "x");

        File.SetUnixFileMode(path, UnixFileMode.None);
        var unreadable = PkiStateDirectory.PermissionDenied(path);
        File.SetUnixFileMode(path, UnixFileMode.UserWrite);
        var writeOnly = PkiStateDirectory.PermissionDenied(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var anotherUsers = PkiStateDirectory.PermissionDenied(path);

        Assert.Equal($"permission denied: its mode is 0000, which lets not even its owner read it (chmod 600 {path} as its owner)", unreadable);
        Assert.Contains("its mode is 0200", writeOnly, StringComparison.Ordinal);
        Assert.Equal("permission denied (run as the user the state belongs to)", anotherUsers);
    }

    /// <summary>Runs the built CLI as <c>nobody</c> when this process is root, else as this process's user.</summary>
    private static async Task<(int ExitCode, string Output, string Error)> RunUnprivilegedAsync(params string[] args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "bootstrap.dll");
        var start = Environment.IsPrivilegedProcess
            ? new ProcessStartInfo("runuser", ["-u", "nobody", "--", "env", "HOME=/tmp", "DOTNET_CLI_HOME=/tmp", "DOTNET_NOLOGO=1", "dotnet", cli, .. args])
            : new ProcessStartInfo("dotnet", [cli, .. args]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = "/";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
