using System.Globalization;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary>What a host's processes may do, read from <c>/proc/1/status</c> (its capability bounding set).</summary>
internal static class ProcessCapabilities
{
    private const int SysResource = 24;

    /// <summary>
    /// Whether PID 1's bounding set holds CAP_SYS_RESOURCE, which lowering an OOM score needs; true when the status
    /// cannot be read (a normal host is assumed, and kubeadm's defaults are kept).
    /// </summary>
    public static bool CanLowerOomScores(string procStatus)
    {
        ArgumentNullException.ThrowIfNull(procStatus);
        var line = procStatus.Split('\n').FirstOrDefault(l => l.StartsWith("CapBnd:", StringComparison.Ordinal));
        return line is null
            || !ulong.TryParse(line["CapBnd:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var bounding)
            || (bounding & (1UL << SysResource)) != 0;
    }
}
