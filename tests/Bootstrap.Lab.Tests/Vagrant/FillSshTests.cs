using Bootstrap.Core.Config;
using Bootstrap.Lab.Tests.Lab;

namespace Bootstrap.Lab.Tests.Vagrant;

/// <summary>vagrant/fill-ssh rewrites each host's SSH settings from `vagrant ssh-config` output.</summary>
[Trait("Category", "Vagrant")]
public sealed class FillSshTests : IDisposable
{
    private static readonly string[] Hosts = ["lb1", "lb2", "cp1", "cp2", "cp3", "w1", "w2"];
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("fill-ssh-");

    public void Dispose() => _dir.Delete(recursive: true);

    // What `vagrant ssh-config` prints under libvirt (keys elsewhere than VirtualBox's), with one
    // machine whose user and key path differ and contain a space and a quote.
    private static string SshConfig(IEnumerable<string> hosts) => string.Concat(hosts.Select(h => h == "cp1"
        ? "Host cp1\n  HostName 192.168.121.7\n  User admin\n  Port 22\n  IdentityFile \"/home/ada/my keys/cp1's key\"\n  IdentitiesOnly yes\n\n"
        : $"Host {h}\n  HostName 192.168.121.9\n  User vagrant\n  Port 22\n  UserKnownHostsFile /dev/null\n  StrictHostKeyChecking no\n" +
          $"  IdentityFile /home/ada/bootstrap/vagrant/.vagrant/machines/{h}/libvirt/private_key\n  IdentitiesOnly yes\n  LogLevel FATAL\n\n"));

    private async Task<(ProcessResult Result, string ClusterFile)> FillAsync(string sshConfig)
    {
        var clusterFile = Path.Combine(_dir.FullName, "cluster.yaml");
        if (!File.Exists(clusterFile))
        {
            File.Copy(Path.Combine(LabScript.RepoRoot, "vagrant", "cluster.yaml"), clusterFile);
        }

        var from = Path.Combine(_dir.FullName, "ssh-config");
        await File.WriteAllTextAsync(from, sshConfig);
        var result = await LocalProcess.RunAsync(Path.Combine(LabScript.RepoRoot, "vagrant", "fill-ssh"),
            ["--from", from, clusterFile], TimeSpan.FromMinutes(1));
        return (result, clusterFile);
    }

    [Fact]
    public async Task Every_host_gets_the_user_and_key_vagrant_reports_and_the_file_still_validates()
    {
        var (result, clusterFile) = await FillAsync(SshConfig(Hosts));
        Assert.True(result.ExitCode == 0, result.Output);

        // The text only: the keys it names are on a vagrant user's machine, not here (LoadFile would check them).
        var load = ClusterConfigLoader.Load(await File.ReadAllTextAsync(clusterFile), clusterFile, Path.GetDirectoryName(clusterFile)!, "/home/tester");
        Assert.Empty(load.Diagnostics);
        var config = Assert.IsType<ClusterConfig>(load.Config);
        foreach (var host in config.Hosts)
        {
            if (host.Name == "cp1")
            {
                Assert.Equal("admin", host.Ssh.User);
                Assert.Equal("/home/ada/my keys/cp1's key", host.Ssh.IdentityFile);
            }
            else
            {
                Assert.Equal("vagrant", host.Ssh.User);
                Assert.Equal($"/home/ada/bootstrap/vagrant/.vagrant/machines/{host.Name}/libvirt/private_key", host.Ssh.IdentityFile);
            }
        }
    }

    [Fact]
    public async Task Filling_twice_gives_the_same_file()
    {
        var (first, clusterFile) = await FillAsync(SshConfig(Hosts));
        Assert.True(first.ExitCode == 0, first.Output);
        var once = await File.ReadAllTextAsync(clusterFile);

        var (second, _) = await FillAsync(SshConfig(Hosts));
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Equal(once, await File.ReadAllTextAsync(clusterFile));
    }

    [Fact]
    public async Task A_host_vagrant_does_not_know_fails_naming_it_and_leaves_the_file_untouched()
    {
        var (result, clusterFile) = await FillAsync(SshConfig(Hosts.Where(h => h != "w2")));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("host w2 has no identityFile line or is not a running vagrant machine", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(LabScript.RepoRoot, "vagrant", "cluster.yaml")), await File.ReadAllTextAsync(clusterFile));
        Assert.Single(Directory.GetFiles(_dir.FullName, "cluster.yaml*"));
    }
}
