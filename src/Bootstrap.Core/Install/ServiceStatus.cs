using System.Globalization;

namespace Bootstrap.Core.Install;

/// <summary>A unit's state as <c>systemctl show --timestamp=unix</c> reports it.</summary>
/// <param name="InvocationId">Names one run of the unit (empty when it never ran): a restart is done once it differs.</param>
internal sealed record ServiceStatus(string ActiveState, long? ActiveSince, string UnitFileState, bool NeedDaemonReload, string InvocationId = "", int Restarts = 0)
{
    public static readonly string[] Properties = ["ActiveState", "ActiveEnterTimestamp", "UnitFileState", "NeedDaemonReload", "InvocationID", "NRestarts"];

    public bool Active => ActiveState == "active";

    public bool Enabled => UnitFileState is "enabled" or "enabled-runtime" or "static";

    /// <summary>Parses <c>Key=Value</c> lines; an empty ActiveEnterTimestamp means the unit never became active.</summary>
    public static ServiceStatus Parse(string text)
    {
        var values = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        string Get(string key) => values.TryGetValue(key, out var v) ? v : string.Empty;
        var since = Get("ActiveEnterTimestamp");
        long? activeSince = since.StartsWith('@') && long.TryParse(since[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? seconds
            : null;
        var restarts = int.TryParse(Get("NRestarts"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        return new ServiceStatus(Get("ActiveState"), activeSince, Get("UnitFileState"), Get("NeedDaemonReload") == "yes", Get("InvocationID"), restarts);
    }
}
