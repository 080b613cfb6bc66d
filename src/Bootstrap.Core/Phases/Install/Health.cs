using System.Net;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Install;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Phases.Install;

/// <summary>The services init runs, with the files each reads and how its health is checked on the host.</summary>
internal static class Health
{
    public static ServiceSpec Etcd() => new()
    {
        Unit = "etcd.service",
        Component = "etcd",
        Inputs =
        [
            InstallFiles.UnitPath("etcd"), $"{KubeadmLayout.BinDir}/etcd", KubeadmLayout.EtcdCaCert,
            KubeadmLayout.EtcdServerCert, KubeadmLayout.EtcdServerKey, KubeadmLayout.EtcdPeerCert, KubeadmLayout.EtcdPeerKey,
        ],
        Health = new RemoteCommand(
            [
                $"{KubeadmLayout.BinDir}/etcdctl", $"--endpoints=https://127.0.0.1:{KubeadmLayout.EtcdClientPort}",
                $"--cacert={KubeadmLayout.EtcdCaCert}",
                $"--cert={KubeadmLayout.EtcdPkiDir}/healthcheck-client.crt", $"--key={KubeadmLayout.EtcdPkiDir}/healthcheck-client.key",
                "--dial-timeout=3s", "--command-timeout=5s", "endpoint", "health",
            ],
            sudo: true),
        HealthTimeout = TimeSpan.FromMinutes(2),
    };

    /// <param name="behindManagedLoadBalancer">Behind Bootstrap's haproxy, whose checks take a restarted server back within <see cref="ApiServerHandover.RejoinBound"/>: the roll waits that long before the next one goes.</param>
    public static ServiceSpec ApiServer(IPAddress address, bool behindManagedLoadBalancer) => new()
    {
        Unit = "kube-apiserver.service",
        Component = "kube-apiserver",
        Inputs =
        [
            InstallFiles.UnitPath("kube-apiserver"), $"{KubeadmLayout.BinDir}/kube-apiserver", KubeadmLayout.CaCert,
            KubeadmLayout.ApiServerCert, KubeadmLayout.ApiServerKey, KubeadmLayout.ApiServerKubeletClientCert, KubeadmLayout.ApiServerKubeletClientKey,
            KubeadmLayout.ApiServerEtcdClientCert, KubeadmLayout.ApiServerEtcdClientKey, KubeadmLayout.EtcdCaCert,
            KubeadmLayout.ServiceAccountPublicKey, KubeadmLayout.ServiceAccountPrivateKey, KubeadmLayout.FrontProxyCaCert,
            KubeadmLayout.FrontProxyClientCert, KubeadmLayout.FrontProxyClientKey, KubeadmLayout.AuditPolicy, KubeadmLayout.EncryptionConfig,
        ],
        // This host's own API server, not the endpoint: the load balancer may not exist yet.
        Health = Kubectl("--server", Endpoints.Url("https", address, KubeadmLayout.ApiServerPort), "get", "--raw", "/readyz"),
        HealthTimeout = TimeSpan.FromMinutes(3),
        HoldAfterRestart = behindManagedLoadBalancer ? ApiServerHandover.RejoinBound : TimeSpan.Zero,
    };

    public static ServiceSpec ControllerManager() => new()
    {
        Unit = "kube-controller-manager.service",
        Component = "kube-controller-manager",
        Inputs =
        [
            InstallFiles.UnitPath("kube-controller-manager"), $"{KubeadmLayout.BinDir}/kube-controller-manager", KubeadmLayout.ControllerManagerKubeconfig,
            KubeadmLayout.CaCert, KubeadmLayout.CaKey, KubeadmLayout.ServiceAccountPrivateKey, KubeadmLayout.FrontProxyCaCert,
        ],
        Health = LocalHealthz(10257),
        HealthTimeout = TimeSpan.FromMinutes(2),
    };

    public static ServiceSpec Scheduler() => new()
    {
        Unit = "kube-scheduler.service",
        Component = "kube-scheduler",
        Inputs = [InstallFiles.UnitPath("kube-scheduler"), $"{KubeadmLayout.BinDir}/kube-scheduler", KubeadmLayout.SchedulerKubeconfig],
        Health = LocalHealthz(10259),
        HealthTimeout = TimeSpan.FromMinutes(2),
    };

    public static ServiceSpec Haproxy() => new()
    {
        Unit = "haproxy.service",
        Component = "haproxy",
        Inputs = [InstallFiles.HaproxyConfig],
        Health = new RemoteCommand(["systemctl", "is-active", "--quiet", "haproxy.service"]),
        HealthTimeout = TimeSpan.FromSeconds(30),
    };

    public static ServiceSpec Keepalived() => new()
    {
        Unit = "keepalived.service",
        Component = "keepalived",
        Inputs = [InstallFiles.KeepalivedConfig],
        Health = new RemoteCommand(["systemctl", "is-active", "--quiet", "keepalived.service"]),
        HealthTimeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>The API through the control-plane endpoint (the load balancer), with the admin kubeconfig.</summary>
    public static ServiceSpec Endpoint() => new()
    {
        Unit = "kube-apiserver.service",
        Component = "the API through the control-plane endpoint",
        Inputs = [],
        Health = Kubectl("get", "--raw", "/readyz"),
        HealthTimeout = TimeSpan.FromMinutes(2),
    };

    private static RemoteCommand Kubectl(params string[] arguments) =>
        new([$"{KubeadmLayout.BinDir}/kubectl", $"--kubeconfig={InstallFiles.AdminKubeconfig}", "--request-timeout=5s", .. arguments], sudo: true);

    // kube-controller-manager and kube-scheduler serve /healthz to anyone on their secure port, as kubeadm's probes use it.
    private static RemoteCommand LocalHealthz(int port) =>
        new(["curl", "--silent", "--show-error", "--fail", "--insecure", "--max-time", "5", $"https://127.0.0.1:{port}/healthz"]);
}
