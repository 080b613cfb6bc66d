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
}
