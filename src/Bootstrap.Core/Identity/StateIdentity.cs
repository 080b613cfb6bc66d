using Bootstrap.Core.ControlPlane;

namespace Bootstrap.Core.Identity;

/// <summary>The cluster's identity as the workstation's cluster state holds it (files by content, keys, password).</summary>
internal sealed record StateIdentity(
    string Root,
    bool Exists,
    IReadOnlyDictionary<string, byte[]> FilesByStatePath,
    IReadOnlyList<EncryptionKey> EncryptionKeys,
    string? VrrpPassword);
