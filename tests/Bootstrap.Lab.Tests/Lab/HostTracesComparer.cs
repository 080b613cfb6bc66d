namespace Bootstrap.Lab.Tests.Lab;

/// <summary>Compares two snapshots by content (records compare lists by reference).</summary>
internal sealed class HostTracesComparer : IEqualityComparer<HostTraces>
{
    public static readonly HostTracesComparer Instance = new();

    public bool Equals(HostTraces? x, HostTraces? y) =>
        x is not null && y is not null && x.ToString() == y.ToString();

    public int GetHashCode(HostTraces obj) => obj.ToString().GetHashCode(StringComparison.Ordinal);
}
