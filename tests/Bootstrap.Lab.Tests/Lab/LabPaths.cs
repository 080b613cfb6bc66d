namespace Bootstrap.Lab.Tests.Lab;

/// <param name="BusyboxImage">The name of the busybox image scripts/lab builds into the artifacts (busybox.oci.tar).</param>
internal sealed record LabPaths(string Cache, string Run, string Key, string Artifacts, string BusyboxImage)
{
    public string KnownHosts => System.IO.Path.Combine(Run, "known_hosts");
}
