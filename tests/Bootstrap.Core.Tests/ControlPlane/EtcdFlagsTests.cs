using System.Net;
using Bootstrap.Core.ControlPlane;
using static Bootstrap.Core.Tests.ControlPlane.FlagAssert;

namespace Bootstrap.Core.Tests.ControlPlane;

/// <summary>etcd member flags against kubeadm v1.20.2's getEtcdCommand (phases/etcd/local.go).</summary>
public sealed class EtcdFlagsTests
{
    private static IReadOnlyList<string> Cp3Flags(EtcdClusterState state = EtcdClusterState.New)
    {
        var config = LabCluster.Load();
        return EtcdFlags.Build(config, config.Host("cp3"), state);
    }

    [Theory]
    [InlineData("name", "cp3")]
    [InlineData("data-dir", "/var/lib/etcd")]
    [InlineData("listen-client-urls", "https://127.0.0.1:2379,https://192.168.56.23:2379")]
    [InlineData("advertise-client-urls", "https://192.168.56.23:2379")]
    [InlineData("listen-peer-urls", "https://192.168.56.23:2380")]
    [InlineData("initial-advertise-peer-urls", "https://192.168.56.23:2380")]
    [InlineData("initial-cluster", "cp1=https://192.168.56.21:2380,cp2=https://192.168.56.22:2380,cp3=https://192.168.56.23:2380")]
    [InlineData("initial-cluster-state", "new")]
    [InlineData("initial-cluster-token", "etcd-lab")]
    [InlineData("client-cert-auth", "true")]
    [InlineData("peer-client-cert-auth", "true")]
    [InlineData("cert-file", "/run/credentials/etcd.service/server.crt")]
    [InlineData("key-file", "/run/credentials/etcd.service/server.key")]
    [InlineData("trusted-ca-file", "/etc/kubernetes/pki/etcd/ca.crt")]
    [InlineData("peer-cert-file", "/run/credentials/etcd.service/peer.crt")]
    [InlineData("peer-key-file", "/run/credentials/etcd.service/peer.key")]
    [InlineData("peer-trusted-ca-file", "/etc/kubernetes/pki/etcd/ca.crt")]
    [InlineData("snapshot-count", "10000")]
    [InlineData("pre-vote", "true")]
    [InlineData("listen-metrics-urls", "http://127.0.0.1:2381")]
    public void Member_has_kubeadms_flag_with_its_value(string flag, string expected) =>
        Assert.Equal(expected, Value(Cp3Flags(), flag));

    [Fact]
    public void No_auto_tls_and_only_the_expected_flags_sorted()
    {
        var flags = Cp3Flags();

        Absent(flags, "auto-tls");
        Absent(flags, "peer-auto-tls");
        SortedByName(flags);
        Assert.Equal(20, flags.Count);
    }

    [Fact]
    public void Each_key_pair_flag_names_a_credential_the_unit_loads_from_the_root_owned_file_of_that_name()
    {
        var flags = Cp3Flags();
        var loaded = EtcdCredentials.LoadCredentials.ToDictionary(l => l.Split(':', 2)[0], l => l.Split(':', 2)[1]);

        foreach (var (flag, source) in new[]
        {
            ("cert-file", "/etc/kubernetes/pki/etcd/server.crt"), ("key-file", "/etc/kubernetes/pki/etcd/server.key"),
            ("peer-cert-file", "/etc/kubernetes/pki/etcd/peer.crt"), ("peer-key-file", "/etc/kubernetes/pki/etcd/peer.key"),
        })
        {
            var path = Value(flags, flag);
            Assert.Equal(EtcdCredentials.Directory, Path.GetDirectoryName(path));
            Assert.Equal(source, loaded[Path.GetFileName(path)]);
        }

        Assert.Equal(4, loaded.Count);
    }

    [Fact]
    public void A_member_joining_a_running_cluster_starts_existing() =>
        Assert.Equal("existing", Value(Cp3Flags(EtcdClusterState.Existing), "initial-cluster-state"));

    [Fact]
    public void An_ipv6_member_uses_brackets_and_the_ipv6_loopback()
    {
        var config = LabCluster.Load();
        var member = config.Host("cp1") with { Address = IPAddress.Parse("fd00::21") };
        config = config with { Hosts = config.Hosts.Select(h => h.Name == "cp1" ? member : h).ToArray() };

        var flags = EtcdFlags.Build(config, member, EtcdClusterState.New);

        Assert.Equal("https://[::1]:2379,https://[fd00::21]:2379", Value(flags, "listen-client-urls"));
        Assert.Equal("http://[::1]:2381", Value(flags, "listen-metrics-urls"));
        Assert.StartsWith("cp1=https://[fd00::21]:2380,", Value(flags, "initial-cluster"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_without_an_etcd_member_is_refused()
    {
        var config = LabCluster.Load();

        Assert.Throws<ArgumentException>(() => EtcdFlags.Build(config, config.Host("lb1"), EtcdClusterState.New));
    }
}
