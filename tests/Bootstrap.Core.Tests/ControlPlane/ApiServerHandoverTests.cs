using Bootstrap.Core.ControlPlane;

namespace Bootstrap.Core.Tests.ControlPlane;

public sealed class ApiServerHandoverTests
{
    [Fact]
    public void The_bounds_follow_haproxys_check_timings()
    {
        // inter 2s, fastinter 500ms, fall 3, rise 2; each check may last its whole 2 s timeout.
        Assert.Equal(TimeSpan.FromSeconds(2 + 1 + 6), ApiServerHandover.LeaveBound);
        Assert.Equal(TimeSpan.FromSeconds(2 + 0.5 + 4), ApiServerHandover.RejoinBound);
    }

    [Fact]
    public void The_delay_outlasts_the_load_balancer_and_systemd_waits_for_the_delay_before_it_kills()
    {
        Assert.True(ApiServerHandover.ShutdownDelay > ApiServerHandover.LeaveBound);
        Assert.Equal(ApiServerHandover.ShutdownDelay + TimeSpan.FromSeconds(5), ApiServerHandover.StopTimeout);
    }
}
