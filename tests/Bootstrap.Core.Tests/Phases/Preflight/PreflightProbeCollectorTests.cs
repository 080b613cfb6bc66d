using System.Globalization;
using Bootstrap.Core.Phases.Preflight;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Tests.Cli;
using Bootstrap.Core.Tests.Pki;
using Bootstrap.Core.Tests.Remote;
using Bootstrap.Core.Tests.Workflow;

namespace Bootstrap.Core.Tests.Phases.Preflight;

/// <summary>How preflight reads a host: sessions, privileges and the clock, against in-memory hosts (<see cref="FakeMachines"/>).</summary>
public sealed class PreflightProbeCollectorTests
{
    private static readonly string[] Binaries = ["systemctl", "conntrack", "no-such-binary"];

    /// <summary>A host that records each command it runs, and may answer some itself (sudo refusing, say).</summary>
    private sealed class Recording(ICommandRunner inner, Func<RemoteCommand, CommandResult?>? first = null) : ICommandRunner
    {
        public string Name => inner.Name;

        public List<RemoteCommand> Commands { get; } = [];

        public Task<CommandResult> RunAsync(RemoteCommand command, CancellationToken cancellationToken)
        {
            Commands.Add(command);
            return first?.Invoke(command) is { } answer ? Task.FromResult(answer) : inner.RunAsync(command, cancellationToken);
        }
    }

    private static readonly FakeMachines Machines = new();

    private static async Task<ICommandRunner> MachineAsync(string name) =>
        await Machines.ConnectAsync(WorkflowFixtures.LabConfig.Host(name), CancellationToken.None);

    private static Task<PreflightProbe> GatherAsync(ICommandRunner host, TimeProvider? time = null) =>
        PreflightProbeCollector.GatherAsync(host, Binaries, new SecretRedactor(), time ?? TimeProvider.System, CancellationToken.None);

    [Fact]
    public async Task With_root_everything_is_read_in_one_session_as_root()
    {
        var host = new Recording(await MachineAsync("cp1"));

        var probe = await GatherAsync(host);

        var session = Assert.Single(host.Commands);
        Assert.True(session.Sudo);
        var commands = BatchedAnswers.Commands(session).Select(c => string.Join(' ', c.Argv)).ToList();
        Assert.Equal("date +%s%N", commands[0]);
        Assert.Equal("date +%s%N", commands[^1]);
        Assert.Contains("id -u", commands);
        Assert.Contains("ss -ltnpH", commands);
        Assert.Contains("test -w /proc/sys/vm/overcommit_memory", commands);
        Assert.Null(probe.PrivilegeProblem);
        Assert.Equal("cp1", probe.Facts.Hostname);
        Assert.Equal(2, probe.Facts.Cpus);
        Assert.Equal(new SortedSet<int> { 22 }, probe.ListeningPorts);
        Assert.Equal(["sshd"], probe.PortOwners[22]);
        Assert.Equal(new Dictionary<string, string?> { ["systemctl"] = "/usr/bin/systemctl", ["conntrack"] = "/usr/bin/conntrack", ["no-such-binary"] = null }, probe.Binaries);
        Assert.True(probe.BridgeNetfilter);
        Assert.Equal("1", probe.IpForward);
        Assert.Empty(probe.KernelTunableMismatches);
        Assert.True(probe.ProcSysWritable);
        Assert.Equal([], probe.SysctlOverrides);
        Assert.Equal([$"5a:00:00:00:00:{WorkflowFixtures.LabConfig.Hosts.ToList().FindIndex(h => h.Name == "cp1"):x2}"], probe.MacAddresses);
        Assert.Null(probe.ProductUuid);
        Assert.Equal("/sys/class/dmi/id/product_uuid cannot be read (No such file or directory)", probe.ProductUuidProblem);
        Assert.InRange(probe.ClockOffset.Duration(), TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Without_sudo_the_check_quotes_sudo_and_a_second_session_reads_what_the_login_user_can()
    {
        var host = new Recording(await MachineAsync("w1"), c => c.Sudo ? new CommandResult(1, string.Empty, "sudo: a password is required\n") : null);

        var probe = await GatherAsync(host);

        Assert.Equal([true, false], host.Commands.Select(c => c.Sudo));
        var commands = BatchedAnswers.Commands(host.Commands[1]).Select(c => string.Join(' ', c.Argv)).ToList();
        Assert.Contains("ss -ltnH", commands);
        Assert.DoesNotContain("ss -ltnpH", commands);
        Assert.DoesNotContain("id -u", commands);
        Assert.Equal("cannot run commands as root (sudo -n id -u exited 1: sudo: a password is required)", probe.PrivilegeProblem);
        Assert.Equal(new SortedSet<int> { 22 }, probe.ListeningPorts);
        Assert.Empty(probe.PortOwners);
        Assert.False(probe.ProcSysWritable);
        Assert.Equal("w1", probe.Facts.Hostname);
        Assert.Equal("/usr/bin/systemctl", probe.Binaries["systemctl"]);
    }

    [Fact]
    public async Task A_sudo_that_does_not_make_root_is_reported_with_what_id_said_and_read_as_the_login_user()
    {
        var host = new Recording(await MachineAsync("w2"), c => c.Sudo
            ? BatchedAnswers.Answer(c, one => one.Argv[0] == "id" ? new CommandResult(0, "1000\n", string.Empty) : Machines.Answer("w2", one))
            : null);

        var probe = await GatherAsync(host);

        Assert.Equal(2, host.Commands.Count);
        Assert.Equal("cannot run commands as root (sudo -n id -u exited 0: )", probe.PrivilegeProblem);
        Assert.False(host.Commands[1].Sudo);
    }

    [Fact]
    public async Task A_reading_command_that_fails_is_an_error_naming_the_host_and_the_command_as_it_ran()
    {
        var host = new Recording(await MachineAsync("w1"), c => BatchedAnswers.Answer(c, one => one.Argv[0] == "nproc"
            ? new CommandResult(126, string.Empty, "sh: 1: nproc: Permission denied\n")
            : Machines.Answer("w1", one)));

        var error = await Assert.ThrowsAsync<RemoteCommandException>(() => GatherAsync(host));

        Assert.Equal("w1: `sudo nproc` exited 126: sh: 1: nproc: Permission denied", error.Message);
    }

    [Fact]
    public async Task A_session_cut_short_is_an_error_naming_the_host_not_a_probe()
    {
        var host = new Recording(await MachineAsync("cp2"), c =>
        {
            var whole = Machines.Answer("cp2", c);
            return whole with { Stdout = whole.Stdout[..(whole.Stdout.Length - 40)] };
        });

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => GatherAsync(host));

        Assert.StartsWith("cp2: the session reading ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_clock_offset_compares_the_midpoint_of_the_host_s_readings_with_the_midpoint_of_the_round_trip()
    {
        var start = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var workstation = new ManualTimeProvider(start);
        var readings = new Queue<DateTimeOffset>([start + TimeSpan.FromSeconds(5), start + TimeSpan.FromSeconds(5.4)]);
        var host = new Recording(await MachineAsync("cp1"), c =>
        {
            // The round trip takes a second on the workstation's clock; the host's run, 0.4 s of it on its own.
            workstation.Advance(TimeSpan.FromSeconds(1));
            return BatchedAnswers.Answer(c, one => string.Join(' ', one.Argv) == "date +%s%N"
                ? new CommandResult(0, ((readings.Dequeue() - DateTimeOffset.UnixEpoch).Ticks * 100).ToString(CultureInfo.InvariantCulture) + "\n", string.Empty)
                : Machines.Answer("cp1", one));
        });

        var probe = await GatherAsync(host, workstation);

        Assert.Equal(TimeSpan.FromSeconds(4.7), probe.ClockOffset);
    }
}
