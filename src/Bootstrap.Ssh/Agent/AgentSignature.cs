using Renci.SshNet.Security;

namespace Bootstrap.Ssh.Agent;

/// <summary>One signature algorithm of an agent-held key: SSH.NET gets the public key blob, and signatures the agent makes.</summary>
internal sealed class AgentSignature(string name, byte[] keyBlob, AgentSignFlags flags, SshAgentClient agent) : HostAlgorithm(name)
{
    public override byte[] Data => keyBlob;

    /// <summary>The agent's answer is already an encoded SSH signature (algorithm name, then the signature).</summary>
    public override byte[] Sign(byte[] data) => agent.Sign(keyBlob, data, flags);

    /// <summary>Client keys only sign; host keys are verified elsewhere (HostKeyTrust).</summary>
    public override bool VerifySignature(byte[] data, byte[] signature) =>
        throw new NotSupportedException("An agent-held client key is not used to verify signatures.");
}
