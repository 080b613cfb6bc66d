using Bootstrap.Ssh.HostKeys;

namespace Bootstrap.Ssh.Agent;

/// <summary>A key ssh-agent holds: its public key blob in SSH wire format, and the comment it was added with.</summary>
internal sealed record AgentIdentity(byte[] KeyBlob, string Comment)
{
    /// <summary>The key type the blob names, e.g. <c>ssh-ed25519</c> or <c>ssh-rsa</c>.</summary>
    public string KeyType => HostKeyFingerprint.KeyType(KeyBlob);

    public override string ToString() => $"{KeyType} {HostKeyFingerprint.Sha256(KeyBlob)} {Comment}";
}
