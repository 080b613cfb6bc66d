using System.Collections.Concurrent;

namespace Bootstrap.Core.Upgrade;

/// <summary>What the <c>versions</c> phase of an upgrade read from the hosts, for the <c>skew</c> phase after it (a run product).</summary>
internal sealed class VersionReport
{
    private readonly ConcurrentDictionary<(string Host, string Component), InstalledVersion> _binaries = new();

    public IReadOnlyList<InstalledVersion> Binaries =>
        [.. _binaries.Values.OrderBy(b => b.Host, StringComparer.Ordinal).ThenBy(b => b.Component, StringComparer.Ordinal)];

    public void Add(InstalledVersion binary)
    {
        ArgumentNullException.ThrowIfNull(binary);
        _binaries[(binary.Host, binary.Component)] = binary;
    }
}
