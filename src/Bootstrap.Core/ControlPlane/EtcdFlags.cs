using Bootstrap.Core.Config;

namespace Bootstrap.Core.ControlPlane;

/// <summary>
/// One etcd member's flags, as kubeadm v1.20 gives them (<c>getEtcdCommand</c>): client and peer mutual
/// TLS with the etcd CA and no auto-TLS, the initial cluster naming every member, metrics on loopback.
/// The initial-cluster token (not set by kubeadm) keeps two clusters on one network from merging. The three
/// initial-cluster flags come from <see cref="EtcdInitialCluster"/>: etcd reads them only to bootstrap a member.
/// The member's key pairs are read from systemd's credentials directory (<see cref="EtcdCredentials"/>).
/// Pre-vote (etcd 3.5's default, off in 3.4) keeps a member that restarts or was cut off from calling an election
/// the leader did not need: every election fails the API servers' reads in flight (see docs/etcd.md).
/// </summary>
internal static class EtcdFlags
{
    /// <summary>The flags of a member bootstrapped with the file's members (<paramref name="state"/> new: a new cluster).</summary>
    public static IReadOnlyList<string> Build(ClusterConfig config, HostSpec member, EtcdClusterState state) =>
        Build(config, member, EtcdInitialCluster.New(config) with { State = state });

    public static IReadOnlyList<string> Build(ClusterConfig config, HostSpec member, EtcdInitialCluster initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
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
            .Add("initial-cluster", initial.Members)
            .Add("initial-cluster-state", initial.State == EtcdClusterState.New ? "new" : "existing")
            .Add("initial-cluster-token", initial.Token)
            .Add("key-file", EtcdCredentials.ServerKey)
            .Add("listen-client-urls", $"{Endpoints.Url("https", loopback, KubeadmLayout.EtcdClientPort)},{clientUrl}")
            .Add("listen-metrics-urls", Endpoints.Url("http", loopback, KubeadmLayout.EtcdMetricsPort))
            .Add("listen-peer-urls", peerUrl)
            .Add("name", member.Name)
            .Add("peer-cert-file", EtcdCredentials.PeerCert)
            .Add("peer-client-cert-auth", true)
            .Add("peer-key-file", EtcdCredentials.PeerKey)
            .Add("peer-trusted-ca-file", KubeadmLayout.EtcdCaCert)
            .Add("pre-vote", true)
            .Add("snapshot-count", 10000)
            .Add("trusted-ca-file", KubeadmLayout.EtcdCaCert)
            .ToArguments(config.ExtraArgs.Etcd);
    }
}
