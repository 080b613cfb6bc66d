using Bootstrap.Core.Config;

namespace Bootstrap.Core.Tests.Config;

/// <summary>
/// vagrant/cluster.yaml describes the same cluster as the lab's file; only what the kind of
/// machine dictates (SSH user and keys, host-key policy, VIP interface, state location) differs.
/// </summary>
public sealed class VagrantClusterFileTests
{
    private static ClusterConfig Load(params string[] path)
    {
        var result = ClusterFiles.LoadText(Path.Combine([AppContext.BaseDirectory, .. path]));
        Assert.Empty(result.Diagnostics);
        return Assert.IsType<ClusterConfig>(result.Config);
    }

    [Fact]
    public void Vagrant_file_describes_the_same_cluster_as_the_lab_file()
    {
        var lab = Load("Examples", "lab-cluster.yaml");
        var vagrant = Load("Vagrant", "cluster.yaml");

        Assert.Equal(lab.KubernetesVersion, vagrant.KubernetesVersion);
        Assert.Equal(lab.ControlPlaneEndpoint, vagrant.ControlPlaneEndpoint);
        Assert.Equal(lab.Networking, vagrant.Networking);
        Assert.Equal(lab.LoadBalancer with { Interface = null }, vagrant.LoadBalancer);
        Assert.Equal(lab.Etcd, vagrant.Etcd);
        Assert.Equal(lab.Artifacts.Directory, vagrant.Artifacts.Directory);
        Assert.Equal(lab.Artifacts.BaseUrl, vagrant.Artifacts.BaseUrl);
        Assert.Equal(lab.Artifacts.Sha256.Order(), vagrant.Artifacts.Sha256.Order());
        Assert.Equal(lab.Certificates.CAValidity, vagrant.Certificates.CAValidity);
        Assert.Equal(lab.Certificates.Validity, vagrant.Certificates.Validity);
        Assert.Equal(lab.Certificates.KeyAlgorithm, vagrant.Certificates.KeyAlgorithm);
        Assert.Equal(lab.Certificates.ExternalCAs, vagrant.Certificates.ExternalCAs);
        Assert.Equal(lab.ApiServer.CertSANs, vagrant.ApiServer.CertSANs);
        Assert.Equal(lab.KubeProxy, vagrant.KubeProxy);
        Assert.Equal(lab.ControlPlane, vagrant.ControlPlane);
        Assert.Equal(lab.SshConcurrency, vagrant.SshConcurrency);
        Assert.Equal(
            lab.Hosts.Select(h => (h.Name, h.Address, string.Join(',', h.Roles))),
            vagrant.Hosts.Select(h => (h.Name, h.Address, string.Join(',', h.Roles))));
    }

    [Fact]
    public void Vagrant_hosts_log_in_as_vagrant_with_their_own_key_and_trust_new_host_keys_once()
    {
        var vagrant = Load("Vagrant", "cluster.yaml");
        var vagrantDir = Path.Combine(AppContext.BaseDirectory, "Vagrant");

        Assert.Null(vagrant.LoadBalancer.Interface);
        Assert.Equal("/home/tester/.bootstrap/vagrant-lab", vagrant.StateDirectory);
        foreach (var host in vagrant.Hosts)
        {
            Assert.Equal("vagrant", host.Ssh.User);
            Assert.Equal(HostKeyPolicy.AcceptNew, host.Ssh.HostKeyPolicy);
            Assert.Equal("/home/tester/.bootstrap/vagrant-lab/known_hosts", host.Ssh.KnownHostsFile);
            Assert.Equal(Path.Combine(vagrantDir, ".vagrant", "machines", host.Name, "virtualbox", "private_key"), host.Ssh.IdentityFile);
        }
    }
}
