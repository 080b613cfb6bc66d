using Bootstrap.Core.Install;

namespace Bootstrap.Core.Tests.Install;

public sealed class ServiceStatusTests
{
    [Fact]
    public void A_running_enabled_unit_reports_when_it_became_active()
    {
        var status = ServiceStatus.Parse("ActiveState=active\nActiveEnterTimestamp=@1764474000\nUnitFileState=enabled\nNeedDaemonReload=no\nInvocationID=5f1c0ffee\n");

        Assert.True(status.Active);
        Assert.True(status.Enabled);
        Assert.False(status.NeedDaemonReload);
        Assert.Equal(1764474000, status.ActiveSince);
        Assert.Equal("5f1c0ffee", status.InvocationId);
    }

    [Fact]
    public void A_unit_that_never_ran_has_no_start_time_and_a_new_unit_file_needs_a_reload()
    {
        var status = ServiceStatus.Parse("ActiveState=inactive\nActiveEnterTimestamp=\nUnitFileState=disabled\nNeedDaemonReload=yes\n");

        Assert.False(status.Active);
        Assert.False(status.Enabled);
        Assert.True(status.NeedDaemonReload);
        Assert.Null(status.ActiveSince);
        Assert.Empty(status.InvocationId);
    }

    [Fact]
    public void Several_units_read_together_are_told_apart_by_their_id_whatever_the_order_of_their_lines()
    {
        // Captured from systemd 252 on a lab control plane (a timer has no NRestarts; a service prints it first).
        const string output = "NRestarts=0\nId=etcd.service\nActiveState=active\nUnitFileState=enabled\nActiveEnterTimestamp=@1796273067\nNeedDaemonReload=no\n"
            + "InvocationID=914842d62ed449cab0bb7ad80c9ad3e5\n\nNRestarts=2\nId=haproxy.service\nActiveState=inactive\nUnitFileState=disabled\nActiveEnterTimestamp=\n"
            + "NeedDaemonReload=no\nInvocationID=\n\nId=etcd-backup.timer\nActiveState=inactive\nUnitFileState=\nActiveEnterTimestamp=\nNeedDaemonReload=yes\nInvocationID=\n";

        var units = ServiceStatus.ParseAll(output);

        Assert.Equal(["etcd-backup.timer", "etcd.service", "haproxy.service"], units.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new ServiceStatus("active", 1796273067, "enabled", false, "914842d62ed449cab0bb7ad80c9ad3e5", 0), units["etcd.service"]);
        Assert.Equal(new ServiceStatus("inactive", null, "disabled", false, string.Empty, 2), units["haproxy.service"]);
        Assert.Equal(new ServiceStatus("inactive", null, string.Empty, true, string.Empty, 0), units["etcd-backup.timer"]);
    }
}
