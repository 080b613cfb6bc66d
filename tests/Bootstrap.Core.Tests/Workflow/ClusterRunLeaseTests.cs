using System.Globalization;
using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;
using Serilog.Core;

namespace Bootstrap.Core.Tests.Workflow;

/// <summary>
/// The run lease's scripts, run for real by <c>sh</c> on this machine (<see cref="LocalHost"/>) in a directory of their own.
/// Here no SSH session is above the command, so the lease names this test process (the client), which lives while the test does:
/// held like a lease whose session lives. The lab suite takes it over SSH from two workstations' runs.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ClusterRunLeaseTests : IDisposable
{
    private readonly string _dir = Path.Combine(Directory.CreateTempSubdirectory("bootstrap-lease-").FullName, "run");
    private readonly LocalConnector _connector = new();

    private static IReadOnlyList<HostSpec> Cp1 => [WorkflowFixtures.LabConfig.Hosts.Single(h => h.Name == "cp1")];

    private string Lease => Path.Combine(_dir, "run.lease");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_dir)!, recursive: true);

    [Fact]
    public async Task A_held_lease_refuses_a_second_run_naming_the_first_and_is_free_again_once_given_back()
    {
        var first = await AcquireAsync("pid 1 on laptop-a (user alice), `bootstrap init -f a.yaml`, since 2026-12-07T03:00:00Z");

        var refused = await Assert.ThrowsAsync<ClusterRunLeaseException>(() => AcquireAsync("laptop-b"));

        Assert.StartsWith("the cluster is in use by another bootstrap run: pid 1 on laptop-a (user alice), `bootstrap init -f a.yaml`, since 2026-12-07T03:00:00Z, on cp1 (its SSH session there is process ", refused.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", refused.Message, StringComparison.Ordinal);
        Assert.Contains("`sudo kill PROCESS`", refused.Message, StringComparison.Ordinal);
        Assert.Equal(["cp1"], first.Hosts);

        await first.DisposeAsync();
        Assert.False(File.Exists(Lease), "the lease was not given back");
        await using var second = await AcquireAsync("laptop-b");
        Assert.EndsWith("\nlaptop-b\n", await File.ReadAllTextAsync(Lease), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_lease_names_the_client_process_with_its_start_time_when_no_ssh_session_is_above_the_command()
    {
        await using var lease = await AcquireAsync("me");

        var fields = (await File.ReadAllLinesAsync(Lease))[0].Split(' ');
        Assert.Equal(3, fields.Length);
        Assert.Equal(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), fields[0]);
        var stat = await File.ReadAllTextAsync($"/proc/{Environment.ProcessId}/stat");
        Assert.Equal(stat[(stat.LastIndexOf(") ", StringComparison.Ordinal) + 2)..].Split(' ')[19], fields[1]);
        Assert.Matches("^[0-9a-f]{16}$", fields[2]);
    }

    [Theory]
    [InlineData("2147483647 100 0123456789abcdef\nsomeone whose session is gone\n")]
    [InlineData("1 18446744073709551615 0123456789abcdef\na live pid with another start time\n")]
    [InlineData("garbage\n")]
    [InlineData("\n\n")]
    [InlineData("-1 -1 x\n$(touch /tmp/never)\n")]
    public async Task A_lease_whose_session_is_gone_or_that_is_damaged_is_taken_over(string stale)
    {
        Directory.CreateDirectory(_dir);
        await File.WriteAllTextAsync(Lease, stale);

        await using var lease = await AcquireAsync("the next run");

        Assert.EndsWith("\nthe next run\n", await File.ReadAllTextAsync(Lease), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Taking_over_a_lease_whose_session_is_gone_says_nothing_on_standard_error()
    {
        Directory.CreateDirectory(_dir);
        await File.WriteAllTextAsync(Lease, "2147483647 100 0123456789abcdef\ngone\n");
        await using var host = new LocalHost("cp1", new SecretRedactor(), Logger.None);

        var result = await host.RunAsync(
            new RemoteCommand(["sh", "-c", ClusterRunLease.AcquireScript, "sh", "fedcba9876543210", "next", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), _dir]),
            CancellationToken.None);

        Assert.Equal(new CommandResult(0, string.Empty, string.Empty), result);
    }

    [Fact]
    public async Task The_holder_is_stored_as_one_printable_line_and_never_run_by_a_shell()
    {
        var marker = Path.Combine(_dir + "-marker");

        await using var lease = await AcquireAsync($"a\nb\u001b[31m `$(touch {marker})` \"; touch {marker}; \"");

        var lines = await File.ReadAllLinesAsync(Lease);
        Assert.Equal(2, lines.Length);
        Assert.Equal($"a?b?[31m `$(touch {marker})` \"; touch {marker}; \"", lines[1]);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task Giving_a_lease_back_leaves_another_runs_lease_in_place()
    {
        var mine = await AcquireAsync("mine");
        var theirs = $"{Environment.ProcessId} {(await File.ReadAllLinesAsync(Lease))[0].Split(' ')[1]} fedcba9876543210\ntheirs\n";
        await File.WriteAllTextAsync(Lease, theirs);

        await mine.DisposeAsync();

        Assert.Equal(theirs, await File.ReadAllTextAsync(Lease));
    }

    [Fact]
    public async Task A_host_that_does_not_answer_is_skipped_and_a_host_that_cannot_take_it_refuses_the_run()
    {
        var config = WorkflowFixtures.LabConfig;
        _connector.Unreachable.Add("cp2");
        await using (var lease = await ClusterRunLease.AcquireAsync(_connector, [config.Host("cp1"), config.Host("cp2")], "me", _dir, new SecretRedactor(), Logger.None, CancellationToken.None))
        {
            Assert.Equal(["cp1"], lease.Hosts);
        }

        var file = Path.Combine(Path.GetDirectoryName(_dir)!, "a-file");
        await File.WriteAllTextAsync(file, string.Empty);
        var error = await Assert.ThrowsAsync<ClusterRunLeaseException>(() =>
            ClusterRunLease.AcquireAsync(_connector, Cp1, "me", file, new SecretRedactor(), Logger.None, CancellationToken.None));
        Assert.StartsWith("cp1: cannot take the run lease (exit 1: ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("; nothing was changed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refusal_names_each_holder_once_with_the_session_of_each_host()
    {
        var message = ClusterRunLease.InUse([("cp1", "11\nrun A\n"), ("cp2", "12\nrun A\n"), ("cp3", "13\nrun B\u0007\n"), ("etcd4", "x; rm -rf /\n\n")]);

        Assert.StartsWith(
            "the cluster is in use by another bootstrap run: run A, on cp1 (its SSH session there is process 11), cp2 (its SSH session there is process 12); "
            + "and run B?, on cp3 (its SSH session there is process 13); and a run that did not say who it is, on etcd4 (its SSH session there is process ?). ",
            message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_lease_is_taken_on_the_control_planes_and_etcd_members()
    {
        Assert.Equal(["cp1", "cp2", "cp3"], ClusterRunLease.HostsOf(WorkflowFixtures.LabConfig).Select(h => h.Name));
    }

    private Task<ClusterRunLease> AcquireAsync(string holder) =>
        ClusterRunLease.AcquireAsync(_connector, Cp1, holder, _dir, new SecretRedactor(), Logger.None, CancellationToken.None);

    private sealed class LocalConnector : IHostConnector
    {
        public HashSet<string> Unreachable { get; } = new(StringComparer.Ordinal);

        public Task<IRemoteHost> ConnectAsync(HostSpec host, CancellationToken cancellationToken) => Unreachable.Contains(host.Name)
            ? throw new IOException($"{host.Name}: connection refused")
            : Task.FromResult<IRemoteHost>(new LocalHost(host.Name, new SecretRedactor(), Logger.None));
    }
}
