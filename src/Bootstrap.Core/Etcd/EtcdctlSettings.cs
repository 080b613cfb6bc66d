using Bootstrap.Core.ControlPlane;

namespace Bootstrap.Core.Etcd;

/// <summary>How etcdctl is run on a host: the program, the etcd CA and the client certificate it presents, and whether as root.</summary>
/// <param name="AsRoot">The certificate's key is root's (0600), so on the hosts etcdctl runs through sudo.</param>
internal sealed record EtcdctlSettings(string Program, string CaCert, string ClientCert, string ClientKey, bool AsRoot)
{
    /// <summary>
    /// On an etcd member: the etcdctl the artifacts phase installs, with the healthcheck client certificate (CN
    /// kube-etcd-healthcheck-client, issued by the etcd CA, on every member). etcd here runs without its own RBAC
    /// (like kubeadm's), so any client certificate of the etcd CA may read, change membership and take snapshots.
    /// </summary>
    public static EtcdctlSettings OnMember { get; } = new(
        $"{KubeadmLayout.BinDir}/etcdctl",
        KubeadmLayout.EtcdCaCert,
        $"{KubeadmLayout.EtcdPkiDir}/healthcheck-client.crt",
        $"{KubeadmLayout.EtcdPkiDir}/healthcheck-client.key",
        AsRoot: true);
}
