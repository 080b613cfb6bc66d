using System.Globalization;

namespace Bootstrap.Core.Install;

/// <summary>A unit's state as <c>systemctl show --timestamp=unix</c> reports it.</summary>
/// <param name="InvocationId">Names one run of the unit (empty when it never ran): a restart is done once it differs.</param>
/// <param name="LoadState">Whether systemd loaded the unit's file (<c>loaded</c>) or found none (<c>not-found</c>); empty when not reported.</param>
internal sealed record ServiceStatus(
    string ActiveState, long? ActiveSince, string UnitFileState, bool NeedDaemonReload, string InvocationId = "", int Restarts = 0, string LoadState = "")
{
    public static readonly string[] Properties = ["ActiveState", "ActiveEnterTimestamp", "UnitFileState", "NeedDaemonReload", "InvocationID", "NRestarts", "LoadState"];

    public bool Active => ActiveState == "active";

    /// <summary>
    /// systemd has no file for the unit: nothing of it is loaded that a new unit file would leave stale, so systemd reads that file
    /// when the unit is first started, without a daemon-reload. Any other state, an unreported one included, counts as loaded.
    /// </summary>
    public bool NotFound => LoadState == "not-found";

    public bool Enabled => UnitFileState is "enabled" or "enabled-runtime" or "static";

    /// <summary>Parses <c>Key=Value</c> lines; an empty ActiveEnterTimestamp means the unit never became active.</summary>
    public static ServiceStatus Parse(string text) => FromValues(Values(text));

    /// <summary>
    /// Each unit's state from <c>systemctl show -p Id -p … U1 U2 …</c>, by its <c>Id</c>: one block of lines per unit, blocks separated
    /// by a blank line (a unit that does not exist has its block too, inactive).
    /// </summary>
    public static IReadOnlyDictionary<string, ServiceStatus> ParseAll(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var units = new Dictionary<string, ServiceStatus>(StringComparer.Ordinal);
        foreach (var block in text.Replace("\r", string.Empty, StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var values = Values(block);
            if (values.TryGetValue("Id", out var id) && id.Length > 0)
            {
                units[id] = FromValues(values);
            }
        }

        return units;
    }

    private static Dictionary<string, string> Values(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('=', 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);

    private static ServiceStatus FromValues(Dictionary<string, string> values)
    {
        string Get(string key) => values.TryGetValue(key, out var v) ? v : string.Empty;
        var since = Get("ActiveEnterTimestamp");
        long? activeSince = since.StartsWith('@') && long.TryParse(since[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? seconds
            : null;
        var restarts = int.TryParse(Get("NRestarts"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        return new ServiceStatus(Get("ActiveState"), activeSince, Get("UnitFileState"), Get("NeedDaemonReload") == "yes", Get("InvocationID"), restarts, Get("LoadState"));
    }
}
