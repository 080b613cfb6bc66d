using Bootstrap.Core.ControlPlane;

namespace Bootstrap.Core.Identity;

/// <summary>What of the cluster's identity one host holds: the sha256 of each identity file it has, its encryption keys, its VRRP password.</summary>
internal sealed record HostIdentity(
    string Host,
    IReadOnlyDictionary<string, string> Sha256ByHostPath,
    IReadOnlyList<EncryptionKey> EncryptionKeys,
    string? VrrpPassword)
{
    public bool IsEmpty => Sha256ByHostPath.Count == 0 && EncryptionKeys.Count == 0 && VrrpPassword is null;
}
