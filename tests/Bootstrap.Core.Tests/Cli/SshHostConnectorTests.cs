using Bootstrap.Cli.Workflow;
using Bootstrap.Core.Config;

namespace Bootstrap.Core.Tests.Cli;

/// <summary>The cluster file's SSH settings, mapped onto Bootstrap.Ssh's: nothing dropped, no secret read.</summary>
public sealed class SshHostConnectorTests
{
    private static readonly ClusterConfig Full =
        ClusterFiles.LoadText(Path.Combine(AppContext.BaseDirectory, "Config", "Valid", "full-featured.yaml")).Config!;

    [Fact]
    public void Host_settings_carry_user_port_key_password_source_timeout_and_pins()
    {
        var cp1 = Full.Hosts.Single(h => h.Name == "cp1");

        var settings = SshHostConnector.Settings(cp1);

        Assert.Equal("cp1", settings.Name);
        Assert.Equal(cp1.Address.ToString(), settings.Address);
        Assert.Equal("core", settings.User);
        Assert.Equal(22, settings.Port);
        Assert.Equal(cp1.Ssh.IdentityFile, settings.PrivateKeyPath);
        Assert.Equal(TimeSpan.FromSeconds(90), settings.ConnectTimeout);
        Assert.Equal(["SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"], settings.HostKeyFingerprints);
        Assert.StartsWith("file ", settings.Password!.Describe(), StringComparison.Ordinal);
        Assert.EndsWith("secrets/cp1-password", settings.Password.Describe(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMinutes(10), settings.CommandTimeout);
        Assert.Equal(TimeSpan.FromMinutes(2), settings.TransferStallTimeout);
        Assert.Equal("environment variable PROD_KEY_PASSPHRASE", settings.Passphrase!.Describe());
        Assert.Null(settings.AgentSocket);
    }

    [Fact]
    public void Bastion_gets_its_own_user_pins_and_prompt_and_the_targets_key_and_timeout()
    {
        var w1 = Full.Hosts.Single(h => h.Name == "w1");

        var bastion = SshHostConnector.Settings(w1).Bastion!;

        Assert.Equal("bastion.prod.example.com", bastion.Address);
        Assert.Equal(22, bastion.Port);
        Assert.Equal("jump", bastion.User);
        Assert.Equal(w1.Ssh.IdentityFile, bastion.PrivateKeyPath);
        Assert.Equal(["SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"], bastion.HostKeyFingerprints);
        Assert.Equal("prompt \"SSH password for jump@bastion.prod.example.com (bastion)\"", bastion.Password!.Describe());
        Assert.Equal(TimeSpan.FromSeconds(90), bastion.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMinutes(10), bastion.CommandTimeout);
        Assert.Equal("environment variable PROD_KEY_PASSPHRASE", bastion.Passphrase!.Describe());
    }

    [Fact]
    public void Environment_password_reference_stays_a_reference()
    {
        var w1 = Full.Hosts.Single(h => h.Name == "w1");

        var settings = SshHostConnector.Settings(w1);

        Assert.Equal("admin", settings.User);
        Assert.Equal(2222, settings.Port);
        Assert.Equal("environment variable PROD_SSH_PASSWORD", settings.Password!.Describe());
    }

    [Fact]
    public void Lab_hosts_use_the_lab_key_and_no_password()
    {
        var lab = LabCluster.Load();

        var settings = SshHostConnector.Settings(lab.Hosts.Single(h => h.Name == "cp2"));

        Assert.Equal("192.168.56.22", settings.Address);
        Assert.Equal("root", settings.User);
        Assert.Equal("/var/cache/bootstrap-lab/ssh/id_ed25519", settings.PrivateKeyPath);
        Assert.Null(settings.Password);
        Assert.Null(settings.Bastion);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.ConnectTimeout);
    }
}
