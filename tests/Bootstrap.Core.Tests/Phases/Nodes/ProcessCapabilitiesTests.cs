using Bootstrap.Core.Phases.Nodes;

namespace Bootstrap.Core.Tests.Phases.Nodes;

/// <summary>CAP_SYS_RESOURCE read from PID 1's bounding set: present on a host, absent inside some containers.</summary>
public sealed class ProcessCapabilitiesTests
{
    [Theory]
    [InlineData("Name:\tsystemd\nCapPrm:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n", true)]
    [InlineData("Name:\tsystemd\nCapBnd:\t000001fffeffffff\nCapAmb:\t0000000000000000\n", false)]
    [InlineData("CapBnd:\t0000000001000000\n", true)]
    [InlineData("Name:\tsystemd\n", true)]
    [InlineData("", true)]
    public void Only_a_bounding_set_without_cap_sys_resource_cannot_lower_oom_scores(string status, bool expected)
    {
        Assert.Equal(expected, ProcessCapabilities.CanLowerOomScores(status));
    }
}
