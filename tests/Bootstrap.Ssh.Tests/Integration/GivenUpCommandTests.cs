using System.Globalization;
using Bootstrap.Core.Remote;
using Bootstrap.Ssh.Tests.Infrastructure;

namespace Bootstrap.Ssh.Tests.Integration;

/// <summary>
/// A command the client gives up on (its timeout passed, or the caller cancelled) is stopped on the host, with every process it
/// started, and not left running there with its channel open. sshd refuses the "signal" request for a root login (without
/// privilege separation after login: "session signalling requires privilege separation"), and a cancellation never reached
/// SSH.NET at all: the lab's root logins left every timed-out or cancelled command running. The test's sshd runs on this machine,
/// so the host's processes are this machine's.
/// </summary>
[Collection(SshdCollection.Name)]
[Trait("Category", "Sshd")]
public sealed class GivenUpCommandTests(SshdFixture sshd)
{
    public static TheoryData<string, bool> Cases() => new()
    {
        { SshdFixture.RootUser, false },
        { SshdFixture.RootUser, true },
        { SshdFixture.SudoNoPasswordUser, false },
        { SshdFixture.SudoNoPasswordUser, true },
        { SshdFixture.SudoPasswordUser, false },
        { SshdFixture.SudoPasswordUser, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_command_given_up_on_is_stopped_on_the_host_with_what_it_started(string user, bool cancelled)
    {
        var settings = user == SshdFixture.SudoPasswordUser ? sshd.PasswordSettings("given-up") : sshd.Settings("given-up", user);
        await using var host = await sshd.ConnectAsync(settings);
        var marker = "4242." + Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        // A child in the background and one in the foreground: both must go.
        var script = $"sleep {marker}1 & sleep {marker}2; wait";
        var command = new RemoteCommand(["sh", "-c", script], sudo: true, timeout: cancelled ? null : TimeSpan.FromSeconds(1));
        using var cancel = new CancellationTokenSource();
        try
        {
            if (cancelled)
            {
                cancel.CancelAfter(TimeSpan.FromSeconds(1));
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.RunAsync(command, cancel.Token));
            }
            else
            {
                var error = await Assert.ThrowsAsync<TimeoutException>(() => host.RunAsync(command, CancellationToken.None));
                Assert.StartsWith("given-up: `sudo sh -c", error.Message, StringComparison.Ordinal);
            }

            var left = Running(marker);
            for (var i = 0; i < 50 && left.Count > 0; i++)
            {
                await Task.Delay(100);
                left = Running(marker);
            }

            Assert.True(left.Count == 0, $"still running on the host 5 s after the command was given up: {string.Join("; ", left)}");
            Assert.Equal("ok\n", (await host.RunAsync(RemoteCommand.Of("echo", "ok"), CancellationToken.None)).Stdout);
        }
        finally
        {
            foreach (var pid in Running(marker).Select(line => int.Parse(line.Split(' ')[0], CultureInfo.InvariantCulture)))
            {
                try
                {
                    System.Diagnostics.Process.GetProcessById(pid).Kill();
                }
                catch (ArgumentException)
                {
                    // Gone meanwhile.
                }
            }
        }
    }

    /// <summary>This machine's processes whose command line holds <paramref name="marker"/>, as "pid command line".</summary>
    private static List<string> Running(string marker)
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                continue;
            }

            string line;
            try
            {
                line = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim();
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            if (line.StartsWith("sleep " + marker, StringComparison.Ordinal) || line.Contains("sleep " + marker + "1 &", StringComparison.Ordinal))
            {
                found.Add($"{name} {line}");
            }
        }

        return found;
    }
}
