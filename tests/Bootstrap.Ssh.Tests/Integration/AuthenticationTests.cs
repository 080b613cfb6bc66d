using Bootstrap.Core.Remote;
using Bootstrap.Ssh.Tests.Infrastructure;

namespace Bootstrap.Ssh.Tests.Integration;

[Collection(SshdCollection.Name)]
[Trait("Category", "Sshd")]
public sealed class AuthenticationTests(SshdFixture sshd)
{
    public static TheoryData<string> PlainKeys => ["id_ed25519", "id_rsa", "id_ecdsa"];

    public static TheoryData<string> EncryptedKeys => ["id_ed25519_pass", "id_rsa_pass"];

    [Theory]
    [MemberData(nameof(PlainKeys))]
    public async Task Logs_in_with_an_unencrypted_key(string key)
    {
        await using var host = await sshd.ConnectAsync(sshd.Settings(key: Path.Combine(sshd.Root, key)));

        Assert.True(host.IsRoot);
        Assert.Equal("0\n", (await host.RunAsync(RemoteCommand.Of("id", "-u"), CancellationToken.None)).Stdout);
    }

    [Theory]
    [MemberData(nameof(EncryptedKeys))]
    public async Task Logs_in_with_an_encrypted_key_whose_passphrase_comes_from_a_file(string key)
    {
        var settings = sshd.Settings(key: Path.Combine(sshd.Root, key)) with { Passphrase = SecretSource.FromFile(sshd.PassphraseFile) };
        await using var host = await sshd.ConnectAsync(settings);

        Assert.True((await host.RunAsync(RemoteCommand.Of("true"), CancellationToken.None)).Succeeded);
    }

    [Fact]
    public async Task An_encrypted_key_without_a_passphrase_fails_naming_host_and_key()
    {
        var error = await Assert.ThrowsAsync<SshConnectException>(() => sshd.ConnectAsync(sshd.Settings("cp9", key: sshd.RsaPassphraseKey)));

        Assert.True(error.IsAuthenticationFailure);
        Assert.StartsWith($"cp9: cannot load the private key {sshd.RsaPassphraseKey}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_in_with_a_password_from_an_environment_variable()
    {
        Environment.SetEnvironmentVariable("BOOTSTRAP_TEST_SSH_PASSWORD", sshd.Password);
        try
        {
            var settings = sshd.PasswordSettings() with { Password = SecretSource.FromEnvironment("BOOTSTRAP_TEST_SSH_PASSWORD") };
            await using var host = await sshd.ConnectAsync(settings);

            Assert.False(host.IsRoot);
            Assert.Equal(SshdFixture.SudoPasswordUser + "\n", (await host.RunAsync(RemoteCommand.Of("id", "-un"), CancellationToken.None)).Stdout);
        }
        finally
        {
            Environment.SetEnvironmentVariable("BOOTSTRAP_TEST_SSH_PASSWORD", null);
        }
    }

    [Fact]
    public async Task A_wrong_password_fails_at_once_without_retries_and_without_showing_it()
    {
        var wrong = Path.Combine(sshd.Root, "wrong-password");
        await File.WriteAllTextAsync(wrong, "not-the-password-123");
        var logs = new LogCapture();
        var settings = sshd.PasswordSettings("cp7") with { Password = SecretSource.FromFile(wrong), ConnectAttempts = 5, RetryDelay = TimeSpan.FromSeconds(5) };

        var error = await Assert.ThrowsAsync<SshConnectException>(() => sshd.ConnectAsync(settings, logs.Logger));

        Assert.True(error.IsAuthenticationFailure);
        Assert.StartsWith($"cp7: authentication as {SshdFixture.SudoPasswordUser}@", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password-123", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("retry", logs.AllText, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_refused_connection_is_retried_with_backoff_then_fails_naming_the_host()
    {
        var logs = new LogCapture();
        var settings = sshd.Settings("cp8") with { Port = 1, ConnectAttempts = 3, RetryDelay = TimeSpan.FromMilliseconds(50) };

        var error = await Assert.ThrowsAsync<SshConnectException>(() => sshd.ConnectAsync(settings, logs.Logger));

        Assert.False(error.IsAuthenticationFailure);
        Assert.StartsWith("cp8: cannot connect to ", error.Message, StringComparison.Ordinal);
        Assert.Contains("attempt 3 of 3", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, logs.Events.Count(e => e.MessageTemplate.Text.Contains("retry", StringComparison.Ordinal)));
    }
}
