using Bootstrap.Core.Install;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Tests.Install;

namespace Bootstrap.Core.Tests.Workflow;

/// <summary>How a plan's view of a host reads units: Bootstrap's own together, once per view; any other alone.</summary>
public sealed class HostViewTests
{
    [Fact]
    public async Task The_units_bootstrap_runs_are_read_in_one_command_per_view_and_another_unit_alone()
    {
        var shows = new List<IReadOnlyList<string>>();
        var host = new FakeHost("cp1", command =>
        {
            shows.Add(command.Argv);
            return new CommandResult(0, SystemctlShow.Print(command.Argv, unit => $"ActiveState={(unit == "kubelet.service" ? "active" : "inactive")}\nUnitFileState=enabled\n"), string.Empty);
        });
        await using var context = WorkflowFixtures.Context(name => name == "cp1" ? host : new FakeHost(name));
        var view = context.View("cp1");

        var kubelet = await view.UnitAsync("kubelet.service", CancellationToken.None);
        var etcd = await view.UnitAsync("etcd.service", CancellationToken.None);
        var other = await view.UnitAsync("chrony.service", CancellationToken.None);
        await context.View("cp1").UnitAsync("etcd.service", CancellationToken.None);

        Assert.True(kubelet.Active);
        Assert.False(etcd.Active);
        Assert.False(other.Active);
        Assert.Equal(3, shows.Count);
        Assert.Equal(ServiceCatalog.Units.Order(StringComparer.Ordinal), SystemctlShow.Units(shows[0]).Order(StringComparer.Ordinal));
        Assert.Equal(["chrony.service"], SystemctlShow.Units(shows[1]));
        Assert.Equal(shows[0], shows[2]);
    }

    [Fact]
    public async Task A_read_that_failed_is_not_kept_and_one_that_lacks_a_unit_names_it()
    {
        var answers = new Queue<CommandResult>(
        [
            new(1, string.Empty, "Failed to connect to bus"),
            new(0, "Id=etcd.service\nActiveState=active\n", string.Empty),
        ]);
        await using var context = WorkflowFixtures.Context(name => new FakeHost(name, _ => answers.Dequeue()));
        var view = context.View("cp1");

        var failed = await Assert.ThrowsAsync<RemoteCommandException>(() => view.UnitAsync("etcd.service", CancellationToken.None));
        var partial = await Assert.ThrowsAsync<InvalidDataException>(() => view.UnitAsync("etcd.service", CancellationToken.None));

        Assert.Contains("Failed to connect to bus", failed.Message, StringComparison.Ordinal);
        Assert.StartsWith("cp1: `systemctl show` printed no state for bootstrap-pod-network.service, containerd.service, etcd-backup.timer", partial.Message, StringComparison.Ordinal);
    }
}
