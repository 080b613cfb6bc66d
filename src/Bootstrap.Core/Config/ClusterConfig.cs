namespace Bootstrap.Core.Config;

/// <summary>
/// A validated cluster file. Made only by <see cref="ClusterConfigLoader"/>, which checks every rule
/// once; code downstream relies on them (at least one control plane, unique host names and
/// addresses, non-overlapping subnets, a virtual IP inside the host subnet …).
/// </summary>
public sealed record ClusterConfig
{
    /// <summary>The <c>apiVersion</c> this model reads.</summary>
    public const string ApiVersion = "bootstrap.dev/v1alpha1";

    /// <summary>The <c>kind</c> of a cluster file.</summary>
    public const string Kind = "Cluster";

    /// <summary>kubeadm v1.20's default <c>imageRepository</c>.</summary>
    public const string DefaultImageRepository = "k8s.gcr.io";

    /// <summary><c>metadata.name</c>: an RFC 1123 label naming the cluster (and its default state directory).</summary>
    public required string Name { get; init; }

    public required KubernetesVersion KubernetesVersion { get; init; }

    public required ControlPlaneEndpoint ControlPlaneEndpoint { get; init; }

    public required NetworkingSpec Networking { get; init; }

    public required LoadBalancerSpec LoadBalancer { get; init; }

    public required EtcdSpec Etcd { get; init; }

    public required ArtifactsSpec Artifacts { get; init; }

    /// <summary>The SSH defaults (<c>spec.ssh</c>) before per-host overrides.</summary>
    public required SshSettings Ssh { get; init; }

    /// <summary><c>spec.ssh.concurrency</c>: how many hosts are worked on at once.</summary>
    public required int SshConcurrency { get; init; }

    /// <summary>All hosts, in file order.</summary>
    public required IReadOnlyList<HostSpec> Hosts { get; init; }

    public required ControlPlaneSpec ControlPlane { get; init; }

    public required KubeletSpec Kubelet { get; init; }

    public required KubeProxySpec KubeProxy { get; init; }

    public required ApiServerSpec ApiServer { get; init; }

    public required CertificatesSpec Certificates { get; init; }

    /// <summary>Extra flags per component (<c>extraArgs</c> under apiServer, controllerManager, scheduler, etcd, kubelet).</summary>
    public ExtraArgs ExtraArgs { get; init; } = ExtraArgs.None;

    /// <summary>
    /// <c>imageRepository</c>: where the images Bootstrap names come from (the sandbox image, CoreDNS), kubeadm's
    /// field and default; a private registry or a name the images were imported under.
    /// </summary>
    public string ImageRepository { get; init; } = DefaultImageRepository;

    /// <summary>The add-ons to install (<c>spec.addons</c>).</summary>
    public AddonsSpec Addons { get; init; } = AddonsSpec.Default;

    /// <summary>The absolute directory holding this cluster's state on the workstation (PKI, kubeconfigs, known_hosts).</summary>
    public required string StateDirectory { get; init; }

    public IReadOnlyList<HostSpec> ControlPlaneHosts => HostsWith(HostRole.ControlPlane);

    public IReadOnlyList<HostSpec> WorkerHosts => HostsWith(HostRole.Worker);

    public IReadOnlyList<HostSpec> LoadBalancerHosts => HostsWith(HostRole.LoadBalancer);

    /// <summary>The hosts running an etcd member: the control planes when stacked, else the <c>etcd</c> hosts.</summary>
    public IReadOnlyList<HostSpec> EtcdMembers =>
        HostsWith(Etcd.Topology == EtcdTopology.Stacked ? HostRole.ControlPlane : HostRole.Etcd);

    /// <summary>
    /// The hosts that join the cluster as Kubernetes nodes, in file order: every worker, and the control-plane hosts
    /// unless <see cref="ControlPlaneSpec.RunKubelet"/> is false. Load balancers and dedicated etcd hosts never do.
    /// </summary>
    public IReadOnlyList<HostSpec> Nodes => Hosts.Where(IsNode).ToArray();

    /// <summary>Whether <paramref name="host"/> is a Kubernetes node (runs a kubelet and kube-proxy); see <see cref="Nodes"/>.</summary>
    public bool IsNode(HostSpec host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.HasRole(HostRole.Worker) || (host.HasRole(HostRole.ControlPlane) && ControlPlane.RunKubelet);
    }

    private HostSpec[] HostsWith(HostRole role) => Hosts.Where(h => h.HasRole(role)).ToArray();
}
