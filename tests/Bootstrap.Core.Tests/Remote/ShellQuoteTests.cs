using System.Diagnostics;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Tests.Remote;

public sealed class ShellQuoteTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("/etc/kubernetes/admin.conf", "/etc/kubernetes/admin.conf")]
    [InlineData("", "''")]
    [InlineData("two words", "'two words'")]
    [InlineData("it's", "'it'\"'\"'s'")]
    [InlineData("$(reboot)", "'$(reboot)'")]
    public void Quote_produces_the_expected_word(string word, string expected) =>
        Assert.Equal(expected, ShellQuote.Quote(word));

    [Fact]
    public void A_real_shell_gives_back_every_argument_unchanged()
    {
        string[] nasty = ["a b", "it's", "$(echo pwned)", "`id`", "x;y", "*", "\"q\"", "new\nline", "back\\slash", "", "-n", "ünï"];
        var command = new RemoteCommand(["printf", "%s\\0", .. nasty]);
        var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command.ToShellString());
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Assert.Equal(nasty, output.Split('\0')[..^1]);
    }

    [Fact]
    public void Display_string_masks_registered_secrets()
    {
        var redactor = new SecretRedactor();
        redactor.Register("s3cr3t-token");

        var display = RemoteCommand.Of("kubeadm", "join", "--token", "s3cr3t-token").AsRoot().ToDisplayString(redactor);

        Assert.Equal("sudo kubeadm join --token [REDACTED]", display);
    }

    [Fact]
    public void Display_string_masks_a_secret_that_quoting_would_split()
    {
        var redactor = new SecretRedactor();
        redactor.Register("it's a secret");

        var display = RemoteCommand.Of("login", "--password", "it's a secret").ToDisplayString(redactor);

        Assert.Equal("login --password [REDACTED]", display);
    }
}
