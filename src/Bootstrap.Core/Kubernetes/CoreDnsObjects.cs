using Bootstrap.Core.Config;
using Bootstrap.Core.Rendering;
using k8s;
using k8s.Models;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// The DNS add-on as <c>kubeadm init phase addon coredns</c> v1.20.2 creates it (phases/addons/dns), object for object
/// and field for field (a test compares them with kubeadm's own <c>--dry-run</c> output): the coredns ConfigMap with
/// kubeadm's Corefile, the system:coredns ClusterRole and ClusterRoleBinding, the coredns ServiceAccount, the coredns
/// Deployment (2 replicas, tolerating the control-plane taints) and the kube-dns Service at the 10th address of the
/// Service range, the kubelets' <c>clusterDNS</c>. The image is <see cref="ClusterImages.CoreDns"/>.
/// </summary>
internal static class CoreDnsObjects
{
    public const string Name = "coredns";
    public const string ServiceName = "kube-dns";
    public const string ClusterRoleName = "system:coredns";

    /// <summary>kubeadm's replica count for a new CoreDNS Deployment (it keeps an existing Deployment's count).</summary>
    public const int Replicas = 2;

    private const string AppLabel = "k8s-app";
    private const string LegacyControlPlaneTaint = "node-role.kubernetes.io/master";
    private const string ControlPlaneTaint = "node-role.kubernetes.io/control-plane";

    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Build(ClusterConfig config, TemplateRenderer renderer, int replicas = Replicas)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(renderer);
        return
        [
            Rbac.ConfigMap(Name, KubeadmObjectNames.KubeSystem, new Dictionary<string, string>
            {
                ["Corefile"] = renderer.Render("coredns-Corefile.sbn", new CorefileModel(config.Networking.DnsDomain)),
            }),
            new V1ClusterRole
            {
                ApiVersion = KubeadmObjectNames.RbacApiVersion,
                Kind = "ClusterRole",
                Metadata = new V1ObjectMeta { Name = ClusterRoleName },
                Rules =
                [
                    new V1PolicyRule { ApiGroups = [""], Resources = ["endpoints", "services", "pods", "namespaces"], Verbs = ["list", "watch"] },
                    new V1PolicyRule { ApiGroups = [""], Resources = ["nodes"], Verbs = ["get"] },
                ],
            },
            Rbac.ClusterRoleBinding(ClusterRoleName, ClusterRoleName, Rbac.ServiceAccount(Name, KubeadmObjectNames.KubeSystem)),
            new V1ServiceAccount
            {
                ApiVersion = "v1",
                Kind = "ServiceAccount",
                Metadata = new V1ObjectMeta { Name = Name, NamespaceProperty = KubeadmObjectNames.KubeSystem },
            },
            Deployment(config, replicas),
            Service(config),
        ];
    }

    private static V1Deployment Deployment(ClusterConfig config, int replicas) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta { Name = Name, NamespaceProperty = KubeadmObjectNames.KubeSystem, Labels = Selector() },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = Selector() },
            Strategy = new V1DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateDeployment { MaxUnavailable = 1 } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = Selector() },
                Spec = new V1PodSpec
                {
                    Containers =
                    [
                        new V1Container
                        {
                            Name = Name,
                            Image = ClusterImages.CoreDns(config),
                            ImagePullPolicy = "IfNotPresent",
                            Args = ["-conf", "/etc/coredns/Corefile"],
                            Resources = new V1ResourceRequirements
                            {
                                Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("170Mi") },
                                Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("70Mi") },
                            },
                            VolumeMounts = [new V1VolumeMount { Name = "config-volume", MountPath = "/etc/coredns", ReadOnlyProperty = true }],
                            Ports =
                            [
                                new V1ContainerPort { ContainerPort = 53, Name = "dns", Protocol = "UDP" },
                                new V1ContainerPort { ContainerPort = 53, Name = "dns-tcp", Protocol = "TCP" },
                                new V1ContainerPort { ContainerPort = 9153, Name = "metrics", Protocol = "TCP" },
                            ],
                            LivenessProbe = new V1Probe
                            {
                                HttpGet = new V1HTTPGetAction { Path = "/health", Port = 8080, Scheme = "HTTP" },
                                InitialDelaySeconds = 60,
                                TimeoutSeconds = 5,
                                SuccessThreshold = 1,
                                FailureThreshold = 5,
                            },
                            ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/ready", Port = 8181, Scheme = "HTTP" } },
                            SecurityContext = new V1SecurityContext
                            {
                                AllowPrivilegeEscalation = false,
                                Capabilities = new V1Capabilities { Add = ["NET_BIND_SERVICE"], Drop = ["all"] },
                                ReadOnlyRootFilesystem = true,
                            },
                        },
                    ],
                    DnsPolicy = "Default",
                    NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" },
                    PriorityClassName = "system-cluster-critical",
                    ServiceAccountName = Name,
                    Tolerations =
                    [
                        new V1Toleration { Key = "CriticalAddonsOnly", OperatorProperty = "Exists" },
                        new V1Toleration { Key = LegacyControlPlaneTaint, Effect = "NoSchedule" },
                        new V1Toleration { Key = ControlPlaneTaint, Effect = "NoSchedule" },
                    ],
                    Volumes =
                    [
                        new V1Volume
                        {
                            Name = "config-volume",
                            ConfigMap = new V1ConfigMapVolumeSource { Name = Name, Items = [new V1KeyToPath { Key = "Corefile", Path = "Corefile" }] },
                        },
                    ],
                },
            },
        },
    };

    private static V1Service Service(ClusterConfig config) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta
        {
            Name = ServiceName,
            NamespaceProperty = KubeadmObjectNames.KubeSystem,
            Labels = new Dictionary<string, string>
            {
                [AppLabel] = ServiceName,
                ["kubernetes.io/cluster-service"] = "true",
                ["kubernetes.io/name"] = "KubeDNS",
            },
            Annotations = new Dictionary<string, string> { ["prometheus.io/port"] = "9153", ["prometheus.io/scrape"] = "true" },
        },
        Spec = new V1ServiceSpec
        {
            ClusterIP = ClusterAddresses.ClusterDns(config).ToString(),
            Ports =
            [
                new V1ServicePort { Name = "dns", Port = 53, Protocol = "UDP", TargetPort = 53 },
                new V1ServicePort { Name = "dns-tcp", Port = 53, Protocol = "TCP", TargetPort = 53 },
                new V1ServicePort { Name = "metrics", Port = 9153, Protocol = "TCP", TargetPort = 9153 },
            ],
            Selector = Selector(),
        },
    };

    private static Dictionary<string, string> Selector() => new() { [AppLabel] = ServiceName };

    private sealed record CorefileModel(string DnsDomain);
}
