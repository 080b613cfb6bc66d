using Bootstrap.Core.Phases.Preflight;
using Bootstrap.Core.Remote;
using Bootstrap.Ssh.Tests.Infrastructure;
using Serilog.Events;

namespace Bootstrap.Ssh.Tests.Integration;

/// <summary>How many commands preflight's reading of a host costs over real SSH: one session with root, two without.</summary>
[Collection(SshdCollection.Name)]
[Trait("Category", "Sshd")]
public sealed class PreflightSessionsTests(SshdFixture sshd)
{
    private static readonly string[] Binaries = ["sh", "sshd", "no-such-binary-xyz"];

    [Theory]
    [InlineData(SshdFixture.RootUser)]
    [InlineData(SshdFixture.SudoNoPasswordUser)]
    [InlineData(SshdFixture.SudoPasswordUser)]
    public async Task With_root_preflight_runs_one_command_per_host(string user)
    {
        var (probe, commands) = await ProbeAsync(user == SshdFixture.SudoPasswordUser ? sshd.PasswordSettings() : sshd.Settings(user: user));

        var command = Assert.Single(commands);
        // Logged with sudo as asked for; SshHost leaves it out for a root login.
        Assert.StartsWith("sudo sh -c ", command, StringComparison.Ordinal);
        Assert.Null(probe.PrivilegeProblem);
        Assert.Equal(Environment.MachineName, probe.Facts.Hostname);
        Assert.Contains(sshd.Server.Port, probe.ListeningPorts);
        Assert.Contains("sshd", probe.PortOwners[sshd.Server.Port]);
        Assert.EndsWith("/sshd", probe.Binaries["sshd"], StringComparison.Ordinal);
        Assert.Null(probe.Binaries["no-such-binary-xyz"]);
        Assert.InRange(probe.ClockOffset.Duration(), TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Without_sudo_preflight_runs_two_commands_and_says_why_root_is_out_of_reach()
    {
        var (probe, commands) = await ProbeAsync(sshd.Settings(user: SshdFixture.NoSudoUser));

        Assert.Equal(2, commands.Count);
        Assert.StartsWith("sudo sh -c ", commands[0], StringComparison.Ordinal);
        Assert.StartsWith("sh -c ", commands[1], StringComparison.Ordinal);
        Assert.Equal("cannot run commands as root (sudo -n id -u exited 1: sudo: a password is required)", probe.PrivilegeProblem);
        Assert.Contains(sshd.Server.Port, probe.ListeningPorts);
        Assert.Empty(probe.PortOwners);
        Assert.False(probe.ProcSysWritable);
        Assert.Equal(Environment.MachineName, probe.Facts.Hostname);
        Assert.InRange(probe.ClockOffset.Duration(), TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    /// <summary>Connects, then reads the probe; returns it with each command SSH ran for it (SshHost's own log of them).</summary>
    private async Task<(PreflightProbe Probe, IReadOnlyList<string> Commands)> ProbeAsync(SshHostSettings settings)
    {
        var logs = new LogCapture();
        await using var host = await sshd.ConnectAsync(settings, logs.Logger);
        var connecting = logs.Events.Count;

        var probe = await PreflightProbeCollector.GatherAsync(host, Binaries, new SecretRedactor(), TimeProvider.System, CancellationToken.None);

        var commands = logs.Events.Skip(connecting)
            .Where(e => e.MessageTemplate.Text == "{Host}: running {Command}")
            .Select(e => ((ScalarValue)e.Properties["Command"]).Value as string ?? string.Empty)
            .ToList();
        return (probe, commands);
    }
}
