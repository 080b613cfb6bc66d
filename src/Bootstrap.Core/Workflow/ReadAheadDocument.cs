namespace Bootstrap.Core.Workflow;

/// <summary>The JSON form of <see cref="ReadAheadFile"/>.</summary>
internal sealed class ReadAheadDocument
{
    public int Version { get; init; }

    public Dictionary<string, Dictionary<string, List<ReadEntry>?>?>? Hosts { get; init; }
}
