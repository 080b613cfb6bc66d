namespace Bootstrap.Ssh.Tests.Infrastructure;

/// <summary>Integration tests share one sshd and its accounts, and run one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class SshdCollection : ICollectionFixture<SshdFixture>
{
    public const string Name = "sshd";
}
