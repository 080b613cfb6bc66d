using Bootstrap.Core.Phases.Reset;

namespace Bootstrap.Core.Tests.Phases.Reset;

/// <summary>When reset has the kubelet's pod units to clean up, from `systemctl list-units` and `list-unit-files` as the lab printed them.</summary>
public sealed class StopServicesPhaseTests
{
    private const string StoppedWithoutFiles = "kubepods-burstable.slice loaded inactive dead Slice /kubepods/burstable\nkubepods.slice           loaded inactive dead Slice /kubepods\n";

    [Theory]
    [InlineData("kubepods.slice loaded active active libcontainer container kubepods.slice\n", "", true)]
    [InlineData("cri-containerd-0123.scope loaded failed failed libcontainer container 0123\n", "", true)]
    [InlineData(StoppedWithoutFiles, "kubepods.slice transient -\n", true)]
    [InlineData(StoppedWithoutFiles, "", false)]
    [InlineData("kubepods.slice not-found inactive dead kubepods.slice\n", "", false)]
    [InlineData("", "", false)]
    public void Only_a_running_pod_unit_or_one_with_a_unit_file_needs_a_cleanup(string listUnits, string listUnitFiles, bool expected)
    {
        Assert.Equal(expected, StopServicesPhase.PodUnitsLeft(listUnits, listUnitFiles));
    }
}
