using Bootstrap.Core.Config;
using Bootstrap.Core.Tests.Pki;

namespace Bootstrap.Core.Tests.Config.Parsing;

/// <summary>What the cluster file names on the workstation, checked when it is loaded there.</summary>
public sealed class LocalFileChecksTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private ClusterConfigLoadResult LoadWith(string identityFile, string hostSsh = "") =>
        ClusterConfigLoader.Load(
            File.ReadAllText(LabCluster.ExampleFile)
                .Replace("/var/cache/bootstrap-lab/ssh/id_ed25519", identityFile, StringComparison.Ordinal)
                .Replace("/var/lib/bootstrap-lab/state", _directory.Combine("state"), StringComparison.Ordinal)
                .Replace("      roles: [worker]\n", "      roles: [worker]\n" + hostSsh, StringComparison.Ordinal),
            "cluster.yaml",
            _directory.Path,
            _directory.Path,
            checkLocalFiles: true);

    [Fact]
    public void A_generated_key_passes_and_the_text_only_load_never_looks()
    {
        var key = _directory.Combine("id_ecdsa");
        TestKeys.Write(key);

        Assert.Empty(LoadWith(key).Diagnostics);
        Assert.Empty(ClusterConfigLoader.Load(File.ReadAllText(LabCluster.ExampleFile), "cluster.yaml", "/", "/home/tester").Diagnostics);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void An_unreadable_key_is_an_error_for_users_who_cannot_read_it()
    {
        var key = _directory.Combine("id_ecdsa");
        TestKeys.Write(key);
        File.SetUnixFileMode(key, UnixFileMode.None);

        var errors = LoadWith(key).Errors;

        // root reads any file, so as root the key is as good as any.
        if (Environment.UserName == "root")
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.Equal($"identity file \"{key}\" cannot be read by this user (permission denied); expected an SSH private key file (OpenSSH or PEM, such as ~/.ssh/id_ed25519)", Assert.Single(errors).Message);
        }
    }

    [Fact]
    public void A_device_is_never_opened_and_is_no_key()
    {
        var error = Assert.Single(LoadWith("/dev/zero").Errors);

        Assert.Equal("spec.ssh.identityFile", error.Path);
        Assert.Equal("identity file \"/dev/zero\" is empty (or not a regular file); expected an SSH private key file (OpenSSH or PEM, such as ~/.ssh/id_ed25519)", error.Message);
    }

    [Fact]
    public void A_known_hosts_file_larger_than_any_bootstrap_reads_is_an_error_naming_its_size()
    {
        var key = _directory.Combine("id_ecdsa");
        TestKeys.Write(key);
        var knownHosts = _directory.Combine("known_hosts");
        using (var file = File.Create(knownHosts))
        {
            file.SetLength(Bootstrap.Core.Config.Parsing.LocalFileChecks.MaxKnownHostsBytes + 1);
        }

        var error = Assert.Single(LoadWith(key, $"      ssh:\n        knownHosts: {knownHosts}\n").Errors);

        Assert.Equal("spec.hosts[5].ssh.knownHosts", error.Path);
        Assert.Equal($"known_hosts file \"{knownHosts}\" is 67108865 bytes, larger than any known_hosts file Bootstrap reads (64 MiB); expected a file path (the file is created when missing)", error.Message);
    }

    [Fact]
    public void A_file_named_by_several_hosts_is_reported_once_at_the_first_of_them()
    {
        var missing = _directory.Combine("missing");
        var hostSsh = $"      ssh:\n        identityFile: {missing}\n";

        var errors = LoadWith(missing, hostSsh).Errors;

        var error = Assert.Single(errors);
        Assert.Equal("spec.ssh.identityFile", error.Path);
        Assert.Equal(34, error.Line);
    }

    [Fact]
    public void A_path_longer_than_any_path_is_refused_without_walking_it()
    {
        var path = "/" + string.Join('/', Enumerable.Repeat("a", 400_000));

        var error = Assert.Single(LoadWith(path).Errors);

        Assert.StartsWith("identity file \"/a/a/a/", error.Message, StringComparison.Ordinal);
        Assert.Contains("is 800000 characters long, longer than any path Linux opens (4096)", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 400, error.Message);
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, "0644")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.GroupRead, "0440")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite, "0602")]
    [InlineData(UnixFileMode.GroupRead | UnixFileMode.OtherRead, "0044")]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_key_open_to_other_users_is_a_warning_naming_its_mode_and_the_fix(UnixFileMode mode, string octal)
    {
        var key = _directory.Combine("id_ecdsa");
        TestKeys.Write(key);
        File.SetUnixFileMode(key, mode);

        var result = LoadWith(key);

        Assert.Empty(result.Errors);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(("spec.ssh.identityFile", ValidationSeverity.Warning), (warning.Path, warning.Severity));
        Assert.Equal($"identity file \"{key}\" is open to other users (mode {octal}), a key OpenSSH refuses to use; expected mode 0600 (chmod 600 \"{key}\")", warning.Message);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_password_file_open_to_other_users_is_a_warning_and_one_of_its_owner_alone_is_not()
    {
        var key = _directory.Combine("id_ecdsa");
        TestKeys.Write(key);
        var password = _directory.Combine("password");
        File.WriteAllText(password, "not-a-real-password\n");
        File.SetUnixFileMode(password, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var hostSsh = $"      ssh:\n        password: file:{password}\n";

        var warning = Assert.Single(LoadWith(key, hostSsh).Diagnostics);
        File.SetUnixFileMode(password, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Assert.Equal(ValidationSeverity.Warning, warning.Severity);
        Assert.EndsWith(".ssh.password", warning.Path, StringComparison.Ordinal);
        Assert.Equal($"password file \"{password}\" is open to other users (mode 0640); expected mode 0600 (chmod 600 \"{password}\")", warning.Message);
        Assert.DoesNotContain("not-a-real-password", warning.ToString(), StringComparison.Ordinal);
        Assert.Empty(LoadWith(key, hostSsh).Diagnostics);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_state_directory_that_other_users_may_change_is_a_warning_naming_what_and_a_readable_one_is_not()
    {
        var key = _directory.Combine("id_ecdsa");
        TestKeys.Write(key);
        var state = _directory.Combine("state");
        Directory.CreateDirectory(Path.Combine(state, "pki", "etcd"));
        File.WriteAllText(Path.Combine(state, "pki", "ca.crt"), "a certificate");
        File.WriteAllText(Path.Combine(state, "request.json"), "{}");
        File.CreateSymbolicLink(Path.Combine(state, "link"), "/tmp");
        const UnixFileMode readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        foreach (var directory in new[] { state, Path.Combine(state, "pki"), Path.Combine(state, "pki", "etcd") })
        {
            File.SetUnixFileMode(directory, readable);
        }

        Assert.Empty(LoadWith(key).Diagnostics);
        var moved = _directory.Combine("moved-state");
        Directory.Move(state, moved);
        File.CreateSymbolicLink(state, moved);
        Assert.Empty(LoadWith(key).Diagnostics);

        File.SetUnixFileMode(Path.Combine(state, "pki"), readable | UnixFileMode.OtherWrite);
        File.SetUnixFileMode(Path.Combine(state, "pki", "ca.crt"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite);
        var warning = Assert.Single(LoadWith(key).Diagnostics);

        Assert.Equal(ValidationSeverity.Warning, warning.Severity);
        Assert.Equal("spec.stateDirectory", warning.Path);
        Assert.Equal(
            $"the state directory \"{state}\" holds the cluster's CA keys, but other users may change what is in it: pki (mode 0757), pki/ca.crt (mode 0620); "
            + $"expected no write access for group or others (chmod -R go-w \"{state}\")",
            warning.Message);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_key_open_to_other_users_named_by_several_hosts_is_warned_about_once()
    {
        var key = _directory.Combine("id_ecdsa");
        TestKeys.Write(key);
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var hostSsh = $"      ssh:\n        identityFile: {key}\n";

        var warning = Assert.Single(LoadWith(key, hostSsh).Diagnostics);

        Assert.Equal("spec.ssh.identityFile", warning.Path);
    }
}
