using System.Net;
using Bootstrap.Core.Config;

namespace Bootstrap.Core.Tests.Config;

/// <summary>examples/lab-cluster.yaml is the lab's cluster file; it must load into exactly this config.</summary>
public sealed class LabClusterFileTests
{
    private static readonly string LabFile = Path.Combine(AppContext.BaseDirectory, "Examples", "lab-cluster.yaml");

    private static ClusterConfig Load()
    {
        var result = ClusterFiles.LoadText(LabFile);
        Assert.Empty(result.Diagnostics);
        return Assert.IsType<ClusterConfig>(result.Config);
    }

    [Fact]
    public void Lab_file_loads_with_its_cluster_wide_settings()
    {
        var config = Load();

        Assert.Equal("lab", config.Name);
        Assert.Equal(new KubernetesVersion(1, 20, 2), config.KubernetesVersion);
        Assert.Equal("v1.20.2", config.KubernetesVersion.ToString());
        Assert.Equal("192.168.56.10", config.ControlPlaneEndpoint.Host);
        Assert.Equal(6443, config.ControlPlaneEndpoint.Port);
        Assert.Equal(new Uri("https://192.168.56.10:6443"), config.ControlPlaneEndpoint.Url);
        Assert.Equal(IPNetwork.Parse("192.168.56.0/24"), config.Networking.HostSubnet);
        Assert.Equal(IPNetwork.Parse("10.244.0.0/16"), config.Networking.PodSubnet);
        Assert.Equal(IPNetwork.Parse("10.96.0.0/12"), config.Networking.ServiceSubnet);
        Assert.Equal("cluster.local", config.Networking.DnsDomain);
        Assert.Equal(LoadBalancerType.HaproxyKeepalived, config.LoadBalancer.Type);
        Assert.Equal(IPAddress.Parse("192.168.56.10"), config.LoadBalancer.VirtualIP);
        Assert.Equal(51, config.LoadBalancer.VirtualRouterId);
        Assert.Equal("eth0", config.LoadBalancer.Interface);
        Assert.Equal(EtcdTopology.Stacked, config.Etcd.Topology);
        Assert.Equal("/var/cache/bootstrap-lab/artifacts/v1.20.2", config.Artifacts.Directory);
        Assert.Null(config.Artifacts.BaseUrl);
        Assert.Empty(config.Artifacts.Sha256);
        Assert.Equal(["api.lab.internal"], config.ApiServer.CertSANs);
        Assert.Equal(TimeSpan.FromDays(3650), config.Certificates.CAValidity);
        Assert.Equal(TimeSpan.FromDays(365), config.Certificates.Validity);
        Assert.Equal(KeyAlgorithm.Rsa2048, config.Certificates.KeyAlgorithm);
        Assert.Null(config.Kubelet.ConfigPatch);
        Assert.Equal("/var/lib/bootstrap-lab/state", config.StateDirectory);
        Assert.Equal(7, config.SshConcurrency);
    }

    [Fact]
    public void Lab_file_hosts_have_their_addresses_and_roles_in_file_order()
    {
        var config = Load();

        Assert.Equal(
            [
                ("lb1", "192.168.56.11", HostRole.LoadBalancer),
                ("lb2", "192.168.56.12", HostRole.LoadBalancer),
                ("cp1", "192.168.56.21", HostRole.ControlPlane),
                ("cp2", "192.168.56.22", HostRole.ControlPlane),
                ("cp3", "192.168.56.23", HostRole.ControlPlane),
                ("w1", "192.168.56.31", HostRole.Worker),
                ("w2", "192.168.56.32", HostRole.Worker),
            ],
            config.Hosts.Select(h => (h.Name, h.Address.ToString(), Assert.Single(h.Roles))));
        Assert.Equal(["cp1", "cp2", "cp3"], config.ControlPlaneHosts.Select(h => h.Name));
        Assert.Equal(["cp1", "cp2", "cp3"], config.EtcdMembers.Select(h => h.Name));
        Assert.Equal(["lb1", "lb2"], config.LoadBalancerHosts.Select(h => h.Name));
        Assert.Equal(["w1", "w2"], config.WorkerHosts.Select(h => h.Name));
    }

    [Fact]
    public void Lab_file_ssh_settings_apply_to_every_host()
    {
        var config = Load();
        var expected = new SshSettings
        {
            User = "root",
            Port = 22,
            IdentityFile = "/var/cache/bootstrap-lab/ssh/id_ed25519",
            Password = null,
            KnownHostsFile = "/var/lib/bootstrap-lab/known_hosts",
            HostKeyPolicy = HostKeyPolicy.Strict,
            HostKeyFingerprints = config.Ssh.HostKeyFingerprints,
            Bastion = null,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            CommandTimeout = TimeSpan.FromMinutes(5),
            TransferStallTimeout = TimeSpan.FromSeconds(60),
        };

        Assert.Equal(expected, config.Ssh);
        Assert.Empty(config.Ssh.HostKeyFingerprints);
        Assert.All(config.Hosts, h => Assert.Same(config.Ssh, h.Ssh));
    }
}
