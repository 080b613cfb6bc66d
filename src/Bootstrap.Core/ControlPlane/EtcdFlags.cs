using Bootstrap.Core.Config;

namespace Bootstrap.Core.ControlPlane;

/// <summary>
/// One etcd member's flags, as kubeadm v1.20 gives them (<c>getEtcdCommand</c>): client and peer mutual
/// TLS with the etcd CA and no auto-TLS, the initial cluster naming every member, metrics on loopback.
/// The initial-cluster token (not set by kubeadm) keeps two clusters on one network from merging. The
/// member's key pairs are read from systemd's credentials directory (<see cref="EtcdCredentials"/>).
/// </summary>
internal static class EtcdFlags
{
    public static IReadOnlyList<string> Build(ClusterConfig config, HostSpec member, EtcdClusterState state)
    {
        if (!config.EtcdMembers.Contains(member))
        {
            throw new ArgumentException($"host {member.Name} is not an etcd member", nameof(member));
        }

        var clientUrl = Endpoints.Url("https", member.Address, KubeadmLayout.EtcdClientPort);
        var peerUrl = Endpoints.Url("https", member.Address, KubeadmLayout.EtcdPeerPort);
        var loopback = Endpoints.LoopbackFor(member.Address);

        return new FlagSet(ControlPlaneComponent.Etcd, config.KubernetesVersion)
            .Add("advertise-client-urls", clientUrl)
            .Add("cert-file", EtcdCredentials.ServerCert)
            .Add("client-cert-auth", true)
            .Add("data-dir", KubeadmLayout.EtcdDataDir)
            .Add("initial-advertise-peer-urls", peerUrl)
            .Add("initial-cluster", string.Join(',', config.EtcdMembers.Select(m => $"{m.Name}={Endpoints.Url("https", m.Address, KubeadmLayout.EtcdPeerPort)}")))
            .Add("initial-cluster-state", state == EtcdClusterState.New ? "new" : "existing")
            .Add("initial-cluster-token", $"etcd-{config.Name}")
            .Add("key-file", EtcdCredentials.ServerKey)
            .Add("listen-client-urls", $"{Endpoints.Url("https", loopback, KubeadmLayout.EtcdClientPort)},{clientUrl}")
            .Add("listen-metrics-urls", Endpoints.Url("http", loopback, KubeadmLayout.EtcdMetricsPort))
            .Add("listen-peer-urls", peerUrl)
            .Add("name", member.Name)
            .Add("peer-cert-file", EtcdCredentials.PeerCert)
            .Add("peer-client-cert-auth", true)
            .Add("peer-key-file", EtcdCredentials.PeerKey)
            .Add("peer-trusted-ca-file", KubeadmLayout.EtcdCaCert)
            .Add("snapshot-count", 10000)
            .Add("trusted-ca-file", KubeadmLayout.EtcdCaCert)
            .ToArguments(config.ExtraArgs.Etcd);
    }
}
