namespace Bootstrap.Core.ControlPlane;

/// <summary>
/// etcd's own key pairs as systemd credentials (<c>LoadCredential=</c>, systemd 247 and later): PID 1 reads the
/// root-owned files under /etc/kubernetes/pki/etcd when the unit starts and gives etcd private copies in
/// <see cref="Directory"/>, readable by the service's user only. So everything under /etc/kubernetes/pki stays
/// root:root (CIS 1.1.19) while etcd runs as its own unprivileged user, and a restart picks up renewed files.
/// </summary>
internal static class EtcdCredentials
{
    /// <summary>systemd's credentials directory of etcd.service (<c>$CREDENTIALS_DIRECTORY</c>, <c>%d</c> in its unit).</summary>
    public const string Directory = "/run/credentials/etcd.service";

    public const string ServerCert = Directory + "/server.crt";
    public const string ServerKey = Directory + "/server.key";
    public const string PeerCert = Directory + "/peer.crt";
    public const string PeerKey = Directory + "/peer.key";

    /// <summary>The unit's <c>LoadCredential=ID:PATH</c> values: each credential with the file it is read from.</summary>
    public static IReadOnlyList<string> LoadCredentials { get; } =
    [
        Load(ServerCert, KubeadmLayout.EtcdServerCert),
        Load(ServerKey, KubeadmLayout.EtcdServerKey),
        Load(PeerCert, KubeadmLayout.EtcdPeerCert),
        Load(PeerKey, KubeadmLayout.EtcdPeerKey),
    ];

    private static string Load(string credential, string source) => $"{Path.GetFileName(credential)}:{source}";
}
