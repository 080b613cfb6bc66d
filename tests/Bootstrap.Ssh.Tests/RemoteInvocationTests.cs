using System.Diagnostics;
using Bootstrap.Core.Remote;

namespace Bootstrap.Ssh.Tests;

/// <summary>
/// The host never closes a command's channel before the client's end of input (EOF) has reached it (<see cref="RemoteInvocation"/>):
/// a command without input gets no EOF to wait for, and under a sudo password (the first line of its input) a command that takes no
/// other input is followed by a wait for the input's end. The command lines run here in a real shell, with the standard input kept
/// open after what the client writes, as a client that has not yet sent its EOF.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RemoteInvocationTests
{
    private const string SudoWithPassword = "sudo -k -S -p '' -- ";
    private static readonly TimeSpan HeldOpen = TimeSpan.FromSeconds(1.5);

    [Fact]
    public void A_command_without_input_reads_dev_null_and_gets_nothing_from_the_client()
    {
        foreach (var (isRoot, password) in new[] { (true, (string?)null), (false, null), (true, "secret") })
        {
            var invocation = RemoteInvocation.For(RemoteCommand.Of("true") with { Sudo = true }, hasContent: false, isRoot, password);

            Assert.False(invocation.SendsInput);
            Assert.Null(invocation.Stdin);
            Assert.EndsWith(" </dev/null", invocation.Text, StringComparison.Ordinal);
            Assert.Equal(isRoot ? "true </dev/null" : "sudo -n -- true </dev/null", invocation.Text);
        }
    }

    [Fact]
    public void A_command_with_input_is_sent_its_input_after_the_sudo_password()
    {
        var command = new RemoteCommand(["cat"], sudo: true, stdin: "data\n"u8.ToArray());

        var withPassword = RemoteInvocation.For(command, hasContent: false, isRoot: false, "secret");
        var asRoot = RemoteInvocation.For(command, hasContent: false, isRoot: true, "secret");
        var content = RemoteInvocation.For(RemoteCommand.Of("cat") with { Sudo = true }, hasContent: true, isRoot: false, null);

        Assert.Equal((SudoWithPassword + "cat", "secret\ndata\n", true), (withPassword.Text, System.Text.Encoding.UTF8.GetString(withPassword.Stdin!), withPassword.SendsInput));
        Assert.Equal(("cat", "data\n", true), (asRoot.Text, System.Text.Encoding.UTF8.GetString(asRoot.Stdin!), asRoot.SendsInput));
        Assert.Equal(("sudo -n -- cat", null, true), (content.Text, content.Stdin, content.SendsInput));
    }

    /// <summary>
    /// A marked command line assigns the marker to the command alone, in its environment (where <see cref="RemoteInvocation.Stop"/>
    /// looks for it), and runs as it would unmarked.
    /// </summary>
    [Fact]
    public async Task A_marked_command_carries_its_marker_in_its_environment_and_runs_unchanged()
    {
        var command = new RemoteCommand(["sh", "-c", "echo \"$BOOTSTRAP_COMMAND\"; exit 3"]);

        var invocation = RemoteInvocation.For(command, hasContent: false, isRoot: true, sudoPassword: null, marker: "0123456789abcdef");

        Assert.Equal("BOOTSTRAP_COMMAND=0123456789abcdef " + RemoteInvocation.For(command, hasContent: false, isRoot: true, null).Text, invocation.Text);
        Assert.Equal((true, 3, "0123456789abcdef\n"), await RunHeldOpenAsync(invocation.Text, string.Empty));
        Assert.Matches("^[0-9a-f]{16}$", RemoteInvocation.NewMarker());
        Assert.NotEqual(RemoteInvocation.NewMarker(), RemoteInvocation.NewMarker());
    }

    /// <summary>The harness itself: a command that does not read its input exits while that input is still open.</summary>
    [Fact]
    public async Task A_plain_command_exits_with_its_input_still_open()
    {
        var (exitedEarly, status, _) = await RunHeldOpenAsync("true", "secret\n");

        Assert.True(exitedEarly);
        Assert.Equal(0, status);
    }

    [Theory]
    [InlineData("true", 0)]
    [InlineData("false", 1)]
    [InlineData("exit 7", 7)]
    [InlineData("cat; exit 3", 3)]
    public async Task Under_a_sudo_password_a_command_without_input_ends_only_once_the_input_ends_with_its_own_status(string script, int expected)
    {
        var invocation = RemoteInvocation.For(new RemoteCommand(["sh", "-c", script], sudo: true), hasContent: false, isRoot: false, "secret");
        Assert.True(invocation.SendsInput);
        Assert.Equal("secret\n"u8.ToArray(), invocation.Stdin);
        Assert.StartsWith(SudoWithPassword, invocation.Text, StringComparison.Ordinal);

        // What sudo runs once it has read the password line: here the shell gets that line too, as a sudo that read nothing would leave it.
        var (exitedEarly, status, stdout) = await RunHeldOpenAsync(invocation.Text[SudoWithPassword.Length..], "secret\n");

        Assert.False(exitedEarly, $"`{script}` under the wrapper exited (status {status}) with its input still open");
        Assert.Equal(expected, status);
        // The command itself reads /dev/null: `cat` never sees the password line.
        Assert.Equal(string.Empty, stdout);
    }

    /// <summary>The dd that writes a large upload's temp file (when it is not a one-command upload) drains the content when it fails.</summary>
    [Fact]
    public async Task A_failing_temp_file_write_ends_only_once_the_content_ends_with_dds_status()
    {
        var dir = Directory.CreateTempSubdirectory("bootstrap-dd-").FullName;
        try
        {
            var written = Path.Combine(dir, "temp");
            await File.WriteAllTextAsync(written, string.Empty);
            var ok = SshHost.TempWriteCommand(written);
            // conv=nocreat: a temp file that is gone is not made again, and dd fails before it reads anything.
            var gone = SshHost.TempWriteCommand(Path.Combine(dir, "gone"));

            var (exitedEarly, status, _) = await RunHeldOpenAsync(ok.ToShellString(), "content\n");
            var (goneEarly, goneStatus, _) = await RunHeldOpenAsync(gone.ToShellString(), "content\n");

            Assert.True(ok.Sudo);
            Assert.False(exitedEarly, $"dd exited (status {status}) with its input still open");
            Assert.Equal(0, status);
            Assert.Equal("content\n", await File.ReadAllTextAsync(written));
            Assert.False(goneEarly, $"the failing dd exited (status {goneStatus}) with its input still open");
            Assert.Equal(1, goneStatus);
            Assert.False(File.Exists(Path.Combine(dir, "gone")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<(bool ExitedEarly, int Status, string Stdout)> RunHeldOpenAsync(string commandLine, string input)
    {
        var start = new ProcessStartInfo("sh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(commandLine);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.StandardInput.WriteAsync(input);
            await process.StandardInput.FlushAsync();
        }
        catch (IOException)
        {
            // It exited before reading anything.
        }

        var exitedEarly = process.WaitForExit(HeldOpen);
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Its end of the pipe is already closed.
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await stderr;
        return (exitedEarly, process.ExitCode, await stdout);
    }
}
