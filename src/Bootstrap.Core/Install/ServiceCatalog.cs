using System.Net;
using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Install;

/// <summary>
/// Every systemd service Bootstrap runs, with the files each reads and how its health is checked on the host;
/// and which of them a host runs (<see cref="On"/>), so that a phase can tell which running service reads a file.
/// </summary>
internal static class ServiceCatalog
{
    public const string PodNetworkUnit = "bootstrap-pod-network.service";

    public const string ApiServerUnit = "kube-apiserver.service";

    /// <summary>
    /// Every unit Bootstrap runs on some host (its services and the etcd backup timer): a plan reads their states together, in
    /// one command per host (<see cref="ServiceControl.StatusesAsync"/>), whichever of them the host runs.
    /// </summary>
    public static readonly IReadOnlySet<string> Units = new SortedSet<string>(StringComparer.Ordinal)
    {
        "etcd.service", ApiServerUnit, "kube-controller-manager.service", "kube-scheduler.service", "haproxy.service", "keepalived.service",
        "containerd.service", "kubelet.service", PodNetworkUnit, "kube-proxy.service", Bootstrap.Core.Etcd.EtcdBackupFiles.Timer,
    };

    /// <summary>The services <paramref name="host"/> runs in <paramref name="config"/>.</summary>
    public static IReadOnlyList<ServiceSpec> On(ClusterConfig config, HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(host);
        var services = new List<ServiceSpec>();
        if (config.EtcdMembers.Contains(host))
        {
            services.Add(Etcd(config, host));
        }

        if (host.HasRole(HostRole.ControlPlane))
        {
            services.AddRange([ApiServer(config, host), ControllerManager(), Scheduler()]);
        }

        if (config.LoadBalancer.Type == LoadBalancerType.HaproxyKeepalived && host.HasRole(HostRole.LoadBalancer))
        {
            services.AddRange([Haproxy(), Keepalived()]);
        }

        if (config.IsNode(host))
        {
            services.AddRange([Containerd(), Kubelet(joining: false), KubeProxy()]);
        }

        return services;
    }

    /// <summary>
    /// The etcd member on <paramref name="host"/>: on a control plane, its kube-apiserver reads only this member
    /// (<see cref="ApiServerFlags"/>), so it is a dependent, stopped while the member restarts.
    /// </summary>
    public static ServiceSpec Etcd(ClusterConfig config, HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(host);
        return ApiServerFlags.ReadsOnlyItsLocalMember(config, host)
            ? Etcd() with { Dependents = [ApiServer(config, host)] }
            : Etcd();
    }

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

    /// <summary>The kube-apiserver on <paramref name="host"/>, behind Bootstrap's haproxy when the file has it manage the load balancer.</summary>
    public static ServiceSpec ApiServer(ClusterConfig config, HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(host);
        var managed = config.LoadBalancer.Type == LoadBalancerType.HaproxyKeepalived;
        var spec = ApiServer(host.Address, managed);
        return managed ? spec with { Rejoin = new LoadBalancerRejoin([.. config.LoadBalancerHosts.Select(h => h.Name)], host.Name) } : spec;
    }

    /// <param name="behindManagedLoadBalancer">Behind Bootstrap's haproxy, whose checks take a restarted server back within <see cref="ApiServerHandover.RejoinBound"/>: the roll waits that long before the next one goes (less when the load balancers say they took it back: <see cref="ServiceSpec.Rejoin"/>).</param>
    public static ServiceSpec ApiServer(IPAddress address, bool behindManagedLoadBalancer) => new()
    {
        Unit = ApiServerUnit,
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
        Health = Readyz(Endpoints.Url("https", address, KubeadmLayout.ApiServerPort) + "/readyz"),
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

    /// <summary>The API through the control-plane endpoint (the load balancer): its /readyz, from the host (a re-run asks it on every control plane).</summary>
    public static ServiceSpec Endpoint(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new ServiceSpec
        {
            Unit = ApiServerUnit,
            Component = "the API through the control-plane endpoint",
            Inputs = [],
            Health = Readyz(new Uri(config.ControlPlaneEndpoint.Url, "/readyz").AbsoluteUri),
            HealthTimeout = TimeSpan.FromMinutes(2),
        };
    }

    /// <summary>
    /// An API server's /readyz, asked the way haproxy asks it (without credentials: <c>system:public-info-viewer</c>), the server's
    /// certificate verified against the cluster CA. curl, not kubectl: the same answer for about a third of the CPU on the host (42 ms against 150 ms on the lab).
    /// </summary>
    private static RemoteCommand Readyz(string url) =>
        new(["curl", "--silent", "--show-error", "--fail", "--max-time", "5", "--cacert", KubeadmLayout.CaCert, url], sudo: true);

    // kube-controller-manager and kube-scheduler serve /healthz to anyone on their secure port, as kubeadm's probes use it.
    private static RemoteCommand LocalHealthz(int port) =>
        new(["curl", "--silent", "--show-error", "--fail", "--insecure", "--max-time", "5", $"https://127.0.0.1:{port}/healthz"]);

    public static ServiceSpec Containerd() => new()
    {
        Unit = "containerd.service",
        Component = "containerd",
        Inputs = [NodeLayout.ContainerdConfig],
        Health = new RemoteCommand(["ctr", "--address", NodeLayout.ContainerdSocket, "version"], sudo: true),
        HealthTimeout = TimeSpan.FromMinutes(1),
    };

    /// <param name="joining">The kubelet must (re)start on a freshly written bootstrap kubeconfig.</param>
    public static ServiceSpec Kubelet(bool joining) => new()
    {
        Unit = "kubelet.service",
        Component = "kubelet",
        Inputs =
        [
            InstallFiles.UnitPath("kubelet"), $"{NodeLayout.BinDir}/kubelet", NodeLayout.KubeletConfig, NodeLayout.CaCert,
            .. joining ? [NodeLayout.BootstrapKubeletKubeconfig] : Array.Empty<string>(),
        ],
        Health = PlainHealthz(10248),
        HealthTimeout = TimeSpan.FromMinutes(2),
    };

    /// <summary>Bootstrap's pod network routes and masquerade rule (a oneshot unit that stays active once it ran).</summary>
    public static ServiceSpec PodNetwork() => new()
    {
        Unit = PodNetworkUnit,
        Component = "bootstrap-pod-network",
        Inputs = [InstallFiles.UnitPath("bootstrap-pod-network")],
        Health = new RemoteCommand(["systemctl", "is-active", "--quiet", PodNetworkUnit]),
        HealthTimeout = TimeSpan.FromSeconds(30),
    };

    public static ServiceSpec KubeProxy() => new()
    {
        Unit = "kube-proxy.service",
        Component = "kube-proxy",
        Inputs = [InstallFiles.UnitPath("kube-proxy"), $"{NodeLayout.BinDir}/kube-proxy", NodeLayout.KubeProxyConfig, NodeLayout.KubeProxyKubeconfig],
        Health = PlainHealthz(10256),
        HealthTimeout = TimeSpan.FromMinutes(1),
    };

    private static RemoteCommand PlainHealthz(int port) =>
        new(["curl", "--silent", "--show-error", "--fail", "--max-time", "5", $"http://127.0.0.1:{port}/healthz"]);
}
