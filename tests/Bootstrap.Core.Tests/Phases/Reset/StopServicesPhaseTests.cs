using Bootstrap.Core.Phases.Reset;

namespace Bootstrap.Core.Tests.Phases.Reset;

/// <summary>When reset has the kubelet's pod units to clean up, from `systemctl list-units --all --plain` as the lab printed it.</summary>
public sealed class StopServicesPhaseTests
{
    [Theory]
    [InlineData("kubepods.slice loaded active active libcontainer container kubepods.slice\n", true)]
    [InlineData("kubepods-burstable.slice loaded inactive dead libcontainer container kubepods-burstable.slice\nkubepods.slice loaded inactive dead libcontainer container kubepods.slice\n", true)]
    [InlineData("cri-containerd-0123.scope loaded failed failed libcontainer container 0123\n", true)]
    [InlineData("kubepods.slice not-found inactive dead kubepods.slice\n", false)]
    [InlineData("", false)]
    public void Only_an_active_or_still_loaded_pod_unit_needs_a_cleanup(string listUnits, bool expected)
    {
        Assert.Equal(expected, StopServicesPhase.PodUnitsLeft(listUnits));
    }
}
