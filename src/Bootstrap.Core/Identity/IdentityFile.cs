namespace Bootstrap.Core.Identity;

/// <summary>A file of the cluster's identity: where the cluster state keeps it and where hosts have it.</summary>
internal sealed record IdentityFile(string StatePath, string HostPath)
{
    public bool IsCertificate => HostPath.EndsWith(".crt", StringComparison.Ordinal);
}
