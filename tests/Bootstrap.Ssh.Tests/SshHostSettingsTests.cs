using Bootstrap.Core.Remote;

namespace Bootstrap.Ssh.Tests;

[Trait("Category", "Unit")]
public sealed class SshHostSettingsTests
{
    [Fact]
    public void Host_values_win_over_cluster_values_which_win_over_built_in_defaults()
    {
        var cluster = new SshOptions { User = "admin", Port = 2200, PrivateKeyPath = "/keys/cluster", ConnectTimeout = TimeSpan.FromSeconds(5) };
        var host = new SshOptions { Port = 22, Password = SecretSource.FromEnvironment("NODE_PW"), HostKeyFingerprints = ["SHA256:x"] };

        var settings = SshHostSettings.Resolve("cp1", "10.0.0.5", host, cluster);

        Assert.Equal(22, settings.Port);
        Assert.Equal("admin", settings.User);
        Assert.Equal("/keys/cluster", settings.PrivateKeyPath);
        Assert.Equal(SecretSource.FromEnvironment("NODE_PW"), settings.Password);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.ConnectTimeout);
        Assert.Equal(3, settings.ConnectAttempts);
        Assert.Equal(["SHA256:x"], settings.HostKeyFingerprints);
    }

    [Fact]
    public void Fingerprints_are_never_inherited_from_the_cluster()
    {
        var settings = SshHostSettings.Resolve("cp1", "10.0.0.5", new SshOptions(), new SshOptions { HostKeyFingerprints = ["SHA256:x"] });

        Assert.Empty(settings.HostKeyFingerprints);
    }
}
