namespace Bootstrap.Core.Install;

/// <summary>What happened (or, in a dry run, would happen) to one file on a host.</summary>
internal sealed record FileChange(string Path, FileChangeKind Kind)
{
    public string Describe(bool dryRun) => (dryRun, Kind) switch
    {
        (true, FileChangeKind.Created) => $"would create {Path}",
        (true, FileChangeKind.ContentChanged) => $"would replace {Path} (content differs)",
        (true, FileChangeKind.MetadataChanged) => $"would fix mode/owner of {Path}",
        (false, FileChangeKind.Created) => $"created {Path}",
        (false, FileChangeKind.ContentChanged) => $"replaced {Path}",
        _ => $"fixed mode/owner of {Path}",
    };
}
