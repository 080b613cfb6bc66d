namespace Bootstrap.Ssh.Agent;

/// <summary>The flags of an agent sign request: which hash an RSA key signs with (draft-miller-ssh-agent §4.5.1).</summary>
[Flags]
internal enum AgentSignFlags : uint
{
    None = 0,
    RsaSha256 = 2,
    RsaSha512 = 4,
}
