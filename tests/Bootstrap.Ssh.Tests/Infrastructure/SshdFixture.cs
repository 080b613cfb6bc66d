using System.Security.Cryptography;
using Bootstrap.Core.Remote;
using Bootstrap.Ssh.HostKeys;
using Serilog;

namespace Bootstrap.Ssh.Tests.Infrastructure;

/// <summary>
/// One sshd on 127.0.0.1 shared by the integration tests, with client keys of each kind and real
/// Unix accounts: <see cref="RootUser"/> (uid 0, keys), <see cref="SudoNoPasswordUser"/> (key, passwordless sudo),
/// <see cref="SudoPasswordUser"/> (password login, sudo asking for the same password) and <see cref="NoSudoUser"/>
/// (key, no sudo at all).
/// Accounts, sudoers entries and files are removed on dispose.
/// </summary>
public sealed class SshdFixture : IDisposable
{
    /// <summary>
    /// A second uid-0 account with /bin/sh as its shell: this machine's root runs a slow ~/.bashrc
    /// (seconds per command), which would measure the machine instead of the code under test.
    /// </summary>
    public const string RootUser = "bs-test-root";
    public const string SudoNoPasswordUser = "bs-test-nopw";
    public const string SudoPasswordUser = "bs-test-pw";
    public const string NoSudoUser = "bs-test-nosudo";

    private readonly List<string> _sudoers = [];

    public SshdFixture()
    {
        Root = Directory.CreateTempSubdirectory("bootstrap-ssh-tests-").FullName;
        // sshd reads authorized keys as the logging-in user.
        File.SetUnixFileMode(Root, (UnixFileMode)0b111_101_101);
        AuthorizedKeys = Path.Combine(Root, "authorized_keys");
        Directory.CreateDirectory(AuthorizedKeys);

        Password = "pw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        Passphrase = "pp-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        PassphraseFile = Path.Combine(Root, "passphrase");
        File.WriteAllText(PassphraseFile, Passphrase + "\n");
        PasswordFile = Path.Combine(Root, "password");
        File.WriteAllText(PasswordFile, Password + "\n");

        Ed25519Key = MakeKey("ed25519", "id_ed25519", "");
        Ed25519PassphraseKey = MakeKey("ed25519", "id_ed25519_pass", Passphrase);
        RsaKey = MakeKey("rsa", "id_rsa", "");
        RsaPassphraseKey = MakeKey("rsa", "id_rsa_pass", Passphrase);
        EcdsaKey = MakeKey("ecdsa", "id_ecdsa", "");

        CreateUser(RootUser, password: null, sudoers: null, uid0: true);
        Authorize(RootUser, Ed25519Key, Ed25519PassphraseKey, RsaKey, RsaPassphraseKey, EcdsaKey);
        CreateUser(SudoNoPasswordUser, password: null, sudoers: $"{SudoNoPasswordUser} ALL=(ALL) NOPASSWD:ALL");
        Authorize(SudoNoPasswordUser, Ed25519Key);
        CreateUser(SudoPasswordUser, Password, sudoers: $"{SudoPasswordUser} ALL=(ALL) ALL");
        CreateUser(NoSudoUser, password: null, sudoers: null);
        Authorize(NoSudoUser, Ed25519Key);

        Server = SshdServer.Start(AuthorizedKeys);
        KnownHosts = Path.Combine(Root, "known_hosts");
        File.WriteAllText(KnownHosts, Server.KnownHostsLine + "\n");
    }

    public string Root { get; }

    public string AuthorizedKeys { get; }

    public SshdServer Server { get; }

    /// <summary>Trusts <see cref="Server"/>'s key and nothing else.</summary>
    public string KnownHosts { get; }

    public string Password { get; }

    public string PasswordFile { get; }

    public string Passphrase { get; }

    public string PassphraseFile { get; }

    public string Ed25519Key { get; }

    public string Ed25519PassphraseKey { get; }

    public string RsaKey { get; }

    public string RsaPassphraseKey { get; }

    public string EcdsaKey { get; }

    public HostKeyTrust Trust(ILogger? logger = null) => new(KnownHosts, acceptNew: false, logger ?? Serilog.Core.Logger.None);

    public SshHostSettings Settings(string name = "node1", string user = RootUser, string? key = null) => new()
    {
        Name = name,
        Address = Server.Address,
        Port = Server.Port,
        User = user,
        PrivateKeyPath = key ?? Ed25519Key,
        ConnectAttempts = 1,
    };

    public SshHostSettings PasswordSettings(string name = "node1") => Settings(name, SudoPasswordUser) with
    {
        PrivateKeyPath = null,
        Password = SecretSource.FromFile(PasswordFile),
    };

    public Task<SshHost> ConnectAsync(SshHostSettings settings, ILogger? logger = null, SecretRedactor? redactor = null) =>
        SshHost.ConnectAsync(settings, Trust(logger), redactor ?? new SecretRedactor(), logger ?? Serilog.Core.Logger.None, CancellationToken.None);

    /// <summary>
    /// Connects as root and returns the host with the server's count of logins once its own is among them: what it does
    /// next can be checked to have opened no connection of its own (<see cref="AssertNoLoginSinceAsync"/>).
    /// </summary>
    public async Task<(SshHost Host, int Logins)> ConnectCountingAsync()
    {
        var before = Server.AcceptedLogins;
        var host = await ConnectAsync(Settings());
        return (host, await Server.LoginsAsync(before + 1));
    }

    /// <summary>
    /// No login since the server counted <paramref name="logins"/>: a connection made now is the only one after them (sshd
    /// logs logins in order), so no second connection (SFTP's, say) was opened in between.
    /// </summary>
    public async Task AssertNoLoginSinceAsync(int logins)
    {
        await using var marker = await ConnectAsync(Settings());
        Assert.Equal(logins + 1, await Server.LoginsAsync(logins + 1));
        Assert.Equal(logins + 1, Server.AcceptedLogins);
    }

    /// <summary>Authorized-keys files for another sshd: the same users and keys.</summary>
    public void Authorize(string user, params string[] keys) =>
        File.AppendAllLines(Path.Combine(AuthorizedKeys, user), keys.Select(k => File.ReadAllText(k + ".pub").Trim()));

    public void Dispose()
    {
        Server.Dispose();
        foreach (var user in new[] { RootUser, SudoNoPasswordUser, SudoPasswordUser, NoSudoUser })
        {
            Proc.TryRun("userdel", null, "-r", "-f", user);
        }

        foreach (var file in _sudoers)
        {
            File.Delete(file);
        }

        Directory.Delete(Root, recursive: true);
    }

    private string MakeKey(string type, string name, string passphrase)
    {
        var path = Path.Combine(Root, name);
        string[] size = type == "rsa" ? ["-b", "3072"] : [];
        Proc.Run("ssh-keygen", ["-q", "-t", type, .. size, "-N", passphrase, "-C", name, "-f", path]);
        return path;
    }

    private void CreateUser(string user, string? password, string? sudoers, bool uid0 = false)
    {
        // A run that was killed may have left the account behind.
        Proc.TryRun("userdel", null, "-r", "-f", user);
        Proc.Run("useradd", ["-m", "-s", "/bin/sh", .. uid0 ? new[] { "-o", "-u", "0", "-g", "0" } : [], user]);
        if (password is not null)
        {
            Proc.RunWithInput("chpasswd", $"{user}:{password}\n");
        }
        else
        {
            // An account with a locked password ("!") is refused by sshd without PAM, even with a key.
            Proc.Run("usermod", "-p", "*", user);
        }

        if (sudoers is null)
        {
            return;
        }

        var file = $"/etc/sudoers.d/bootstrap-test-{user}";
        File.WriteAllText(file, sudoers + "\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.GroupRead);
        _sudoers.Add(file);
    }
}
