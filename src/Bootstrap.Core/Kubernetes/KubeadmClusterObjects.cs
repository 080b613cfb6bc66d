using System.Text;
using System.Text.Json.Nodes;
using Bootstrap.Core.Config;
using k8s;
using k8s.Models;
using static Bootstrap.Core.Kubernetes.KubeadmObjectNames;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// The API objects kubeadm v1.20 creates during <c>kubeadm init</c> so that a stock
/// <c>kubeadm join --token … --discovery-token-ca-cert-hash …</c> works, with kubeadm's names, rules
/// and subjects. Each group names the kubeadm package it follows. Bootstrap tokens themselves are
/// <see cref="BootstrapToken.ToSecret"/>.
/// </summary>
internal static class KubeadmClusterObjects
{
    /// <summary>Every object, in the order kubeadm init creates them.</summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> All(ClusterConfig config, string caCertificatePem) =>
    [
        .. KubeadmConfig(config),
        .. KubeletConfig(config),
        .. NodeBootstrapRbac(),
        .. NodeTokenRbac(),
        .. ClusterInfo(config, caCertificatePem),
        .. KubeProxy(config),
    ];

    /// <summary>
    /// phases/bootstraptoken/clusterinfo: the cluster-info ConfigMap in kube-public (a kubeconfig with only
    /// the cluster: server and CA), readable by anonymous users so joining nodes can fetch it before they
    /// trust anything; the controller manager's bootstrap signer signs it with each token.
    /// </summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> ClusterInfo(ClusterConfig config, string caCertificatePem)
    {
        ArgumentNullException.ThrowIfNull(caCertificatePem);
        var kubeconfig = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Config",
            ["clusters"] = new JsonArray(new JsonObject
            {
                ["cluster"] = new JsonObject
                {
                    ["certificate-authority-data"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(caCertificatePem)),
                    ["server"] = ClusterAddresses.ApiServerUrl(config),
                },
                ["name"] = string.Empty,
            }),
            ["contexts"] = null,
            ["current-context"] = string.Empty,
            ["preferences"] = new JsonObject(),
            ["users"] = null,
        };

        return
        [
            Rbac.ConfigMap(ClusterInfoConfigMap, KubePublic, Data(ClusterInfoKubeconfigKey, YamlText.Write(kubeconfig))),
            Rbac.Role(ClusterInfoRole, KubePublic, Rbac.GetConfigMap(ClusterInfoConfigMap)),
            Rbac.RoleBinding(ClusterInfoRole, KubePublic, ClusterInfoRole, Rbac.User(AnonymousUser)),
        ];
    }

    /// <summary>
    /// phases/bootstraptoken/node: bootstrap tokens may post CSRs and read nodes, their client CSRs are
    /// approved automatically, and nodes may renew their own client certificates.
    /// </summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> NodeBootstrapRbac() =>
    [
        Rbac.ClusterRoleBinding(KubeletBootstrapBinding, NodeBootstrapperClusterRole, Rbac.Group(NodeBootstrapTokenGroup)),
        Rbac.ClusterRole(GetNodesClusterRole, new V1PolicyRule { Verbs = ["get"], ApiGroups = [""], Resources = ["nodes"] }),
        Rbac.ClusterRoleBinding(GetNodesClusterRole, GetNodesClusterRole, Rbac.Group(NodeBootstrapTokenGroup)),
        Rbac.ClusterRoleBinding(NodeAutoApproveBootstrapBinding, NodeClientCsrApprovalClusterRole, Rbac.Group(NodeBootstrapTokenGroup)),
        Rbac.ClusterRoleBinding(NodeAutoApproveRotationBinding, SelfNodeClientCsrApprovalClusterRole, Rbac.Group(NodesGroup)),
    ];

    /// <summary>
    /// Beyond kubeadm: the tokens Bootstrap mints for its own joins (<see cref="NodeClientCsrPolicy.TokenGroup"/>) may
    /// create and watch CSRs, and nothing else — no automatic approval, no reading of nodes or kubeadm's ConfigMaps
    /// (the kubelet needs none of that; a stock <c>kubeadm join</c> uses a token of kubeadm's group).
    /// </summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> NodeTokenRbac() =>
    [
        Rbac.ClusterRoleBinding(NodeTokenBootstrapBinding, NodeBootstrapperClusterRole, Rbac.Group(NodeClientCsrPolicy.TokenGroup)),
    ];

    /// <summary>phases/uploadconfig: the kubeadm-config ConfigMap, readable by bootstrap tokens and nodes.</summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> KubeadmConfig(ClusterConfig config) =>
    [
        Rbac.ConfigMap(KubeadmConfigConfigMap, KubeSystem, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ClusterConfigurationKey] = YamlText.Write(KubeadmClusterConfiguration.ClusterConfiguration(config)),
            [ClusterStatusKey] = YamlText.Write(KubeadmClusterConfiguration.ClusterStatus(config)),
        }),
        Rbac.Role(KubeadmConfigRole, KubeSystem, Rbac.GetConfigMap(KubeadmConfigConfigMap)),
        Rbac.RoleBinding(KubeadmConfigRole, KubeSystem, KubeadmConfigRole, Rbac.Group(NodeBootstrapTokenGroup), Rbac.Group(NodesGroup)),
    ];

    /// <summary>
    /// phases/kubelet: kubelet-config-MAJOR.MINOR holding the KubeletConfiguration, readable by nodes and bootstrap tokens.
    /// Unlike kubeadm, neither this nor the kube-proxy ConfigMap carries the
    /// <c>kubeadm.kubernetes.io/component-config.hash</c> annotation: without it kubeadm treats the
    /// configuration as user-supplied and keeps it, instead of replacing it with its own defaults on
    /// upgrade (which would drop serverTLSBootstrap, the systemd cgroup driver and the cluster file's patch).
    /// </summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> KubeletConfig(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var name = KubeadmClusterConfiguration.KubeletConfigMapName(config.KubernetesVersion);
        var role = KubeadmClusterConfiguration.KubeletConfigRoleName(config.KubernetesVersion);
        return
        [
            Rbac.ConfigMap(name, KubeSystem, Data(KubeletConfigKey, KubeletConfiguration.ToYaml(config))),
            Rbac.Role(role, KubeSystem, Rbac.GetConfigMap(name)),
            Rbac.RoleBinding(role, KubeSystem, role, Rbac.Group(NodesGroup), Rbac.Group(NodeBootstrapTokenGroup)),
        ];
    }

    /// <summary>
    /// phases/addons/proxy: the kube-proxy ServiceAccount bound to system:node-proxier, and the kube-proxy
    /// ConfigMap (the KubeProxyConfiguration and the in-pod kubeconfig of kubeadm's DaemonSet) readable by
    /// bootstrap tokens. Bootstrap runs kube-proxy as a systemd unit, not as that DaemonSet.
    /// </summary>
    public static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> KubeProxy(ClusterConfig config)
    {
        var kubeconfig = KubeconfigDocument.Single(
            "default",
            new JsonObject { ["certificate-authority"] = NodeLayout.ServiceAccountDir + "/ca.crt", ["server"] = ClusterAddresses.ApiServerUrl(config) },
            "default",
            new JsonObject { ["tokenFile"] = NodeLayout.ServiceAccountDir + "/token" },
            "default",
            "default",
            preferences: false);

        var configMap = Rbac.ConfigMap(KubeProxyName, KubeSystem, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [KubeProxyConfigKey] = KubeProxyConfiguration.ToYaml(config),
            [KubeProxyKubeconfigKey] = YamlText.Write(kubeconfig),
        });
        configMap.Metadata.Labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["app"] = KubeProxyName };

        return
        [
            new V1ServiceAccount
            {
                ApiVersion = "v1",
                Kind = "ServiceAccount",
                Metadata = new V1ObjectMeta { Name = KubeProxyName, NamespaceProperty = KubeSystem },
            },
            configMap,
            Rbac.ClusterRoleBinding(NodeProxierBinding, NodeProxierClusterRole, Rbac.ServiceAccount(KubeProxyName, KubeSystem)),
            Rbac.Role(KubeProxyName, KubeSystem, Rbac.GetConfigMap(KubeProxyName)),
            Rbac.RoleBinding(KubeProxyName, KubeSystem, KubeProxyName, Rbac.Group(NodeBootstrapTokenGroup)),
        ];
    }

    private static Dictionary<string, string> Data(string key, string value) => new(StringComparer.Ordinal) { [key] = value };
}
