namespace Bootstrap.Lab.Tests.Lab;

internal sealed record LabPaths(string Cache, string Run, string Key, string Artifacts)
{
    public string KnownHosts => System.IO.Path.Combine(Run, "known_hosts");
}
