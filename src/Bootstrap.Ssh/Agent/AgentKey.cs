using Renci.SshNet;
using Renci.SshNet.Security;

namespace Bootstrap.Ssh.Agent;

/// <summary>
/// One key held by ssh-agent, as SSH.NET's public-key authentication sees a key: its signature algorithms,
/// most preferred first, each signing through the agent. An RSA key offers rsa-sha2-512 and rsa-sha2-256
/// only, never SHA-1 ssh-rsa.
/// </summary>
internal sealed class AgentKey : IPrivateKeySource
{
    private AgentKey(AgentIdentity identity, IReadOnlyCollection<HostAlgorithm> algorithms)
    {
        Identity = identity;
        HostKeyAlgorithms = algorithms;
    }

    public AgentIdentity Identity { get; }

    public IReadOnlyCollection<HostAlgorithm> HostKeyAlgorithms { get; }

    /// <summary>The key as SSH.NET can use it, or null for a type it cannot (e.g. a certificate or a security-key type).</summary>
    public static AgentKey? From(SshAgentClient agent, AgentIdentity identity)
    {
        var blob = identity.KeyBlob;
        HostAlgorithm[]? algorithms = identity.KeyType switch
        {
            "ssh-rsa" =>
            [
                new AgentSignature("rsa-sha2-512", blob, AgentSignFlags.RsaSha512, agent),
                new AgentSignature("rsa-sha2-256", blob, AgentSignFlags.RsaSha256, agent),
            ],
            "ssh-ed25519" or "ecdsa-sha2-nistp256" or "ecdsa-sha2-nistp384" or "ecdsa-sha2-nistp521" =>
                [new AgentSignature(identity.KeyType, blob, AgentSignFlags.None, agent)],
            _ => null,
        };
        return algorithms is null ? null : new AgentKey(identity, algorithms);
    }

    public override string ToString() => "agent key " + Identity;
}
