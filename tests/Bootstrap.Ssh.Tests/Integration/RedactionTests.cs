using System.Security.Cryptography;
using Bootstrap.Core.Remote;
using Bootstrap.Ssh.Tests.Infrastructure;

namespace Bootstrap.Ssh.Tests.Integration;

[Collection(SshdCollection.Name)]
[Trait("Category", "Sshd")]
public sealed class RedactionTests(SshdFixture sshd)
{
    [Fact]
    public async Task A_secret_used_in_commands_never_appears_in_logs_output_or_errors()
    {
        var token = "tok-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var redactor = new SecretRedactor();
        redactor.Register(token);
        var logs = new LogCapture();
        await using var host = await sshd.ConnectAsync(sshd.PasswordSettings("cp3"), logs.Logger, redactor);

        var echoed = await host.RunAsync(RemoteCommand.Of("echo", "--token", token).AsRoot(), CancellationToken.None);
        var uploaded = $"/tmp/bootstrap-redaction-{Guid.NewGuid():N}";
        await host.UploadAsync(System.Text.Encoding.UTF8.GetBytes(token), new FileSpec(uploaded, Mode: 0b110_000_000), CancellationToken.None);
        File.Delete(uploaded);
        var failure = await Assert.ThrowsAsync<RemoteCommandException>(() =>
            host.RunCheckedAsync(new RemoteCommand(["sh", "-c", "echo \"bad token $1\" >&2; exit 4", "sh", token], sudo: true), redactor, CancellationToken.None));

        Assert.Equal("--token [REDACTED]\n", echoed.Stdout);
        Assert.StartsWith("cp3: `sudo sh -c", failure.Message, StringComparison.Ordinal);
        Assert.Contains("bad token [REDACTED]", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(token, failure.ToString(), StringComparison.Ordinal);
        Assert.Contains("running \"sudo echo --token [REDACTED]\"", logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(token, logs.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(sshd.Password, logs.AllText, StringComparison.Ordinal);
        Assert.All(logs.Events, e => Assert.Equal("\"cp3\"", e.Properties["Host"].ToString()));
    }
}
