namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// Names of the objects, groups and keys kubeadm v1.20 uses for joining nodes
/// (cmd/kubeadm/app/constants, phases/bootstraptoken, phases/uploadconfig, phases/kubelet,
/// phases/addons/proxy, and k8s.io/cluster-bootstrap/token/api), so a stock <c>kubeadm join</c> finds them.
/// </summary>
internal static class KubeadmObjectNames
{
    public const string KubeSystem = "kube-system";
    public const string KubePublic = "kube-public";

    public const string RbacApiGroup = "rbac.authorization.k8s.io";
    public const string RbacApiVersion = RbacApiGroup + "/v1";

    public const string NodesGroup = "system:nodes";
    public const string AnonymousUser = "system:anonymous";

    /// <summary>The group a node bootstrap token authenticates into (<c>NodeBootstrapTokenAuthGroup</c>).</summary>
    public const string NodeBootstrapTokenGroup = "system:bootstrappers:kubeadm:default-node-token";

    // Bootstrap token Secrets (cluster-bootstrap/token/api).
    public const string BootstrapTokenSecretPrefix = "bootstrap-token-";
    public const string BootstrapTokenSecretType = "bootstrap.kubernetes.io/token";
    public const string TokenIdKey = "token-id";
    public const string TokenSecretKey = "token-secret";
    public const string TokenExpirationKey = "expiration";
    public const string TokenDescriptionKey = "description";
    public const string TokenExtraGroupsKey = "auth-extra-groups";
    public const string TokenUsageAuthenticationKey = "usage-bootstrap-authentication";
    public const string TokenUsageSigningKey = "usage-bootstrap-signing";

    // cluster-info (phases/bootstraptoken/clusterinfo).
    public const string ClusterInfoConfigMap = "cluster-info";
    public const string ClusterInfoKubeconfigKey = "kubeconfig";
    public const string ClusterInfoRole = "kubeadm:bootstrap-signer-clusterinfo";

    // Node bootstrap RBAC (phases/bootstraptoken/node).
    public const string KubeletBootstrapBinding = "kubeadm:kubelet-bootstrap";
    public const string NodeBootstrapperClusterRole = "system:node-bootstrapper";
    public const string GetNodesClusterRole = "kubeadm:get-nodes";
    public const string NodeAutoApproveBootstrapBinding = "kubeadm:node-autoapprove-bootstrap";
    public const string NodeClientCsrApprovalClusterRole = "system:certificates.k8s.io:certificatesigningrequests:nodeclient";
    public const string NodeAutoApproveRotationBinding = "kubeadm:node-autoapprove-certificate-rotation";
    public const string SelfNodeClientCsrApprovalClusterRole = "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient";

    /// <summary>Bootstrap's own binding (not kubeadm's): its node tokens may post CSRs (<see cref="KubeadmClusterObjects.NodeTokenRbac"/>).</summary>
    public const string NodeTokenBootstrapBinding = "bootstrap:kubelet-bootstrap";

    // kubeadm-config (phases/uploadconfig).
    public const string KubeadmConfigConfigMap = "kubeadm-config";
    public const string ClusterConfigurationKey = "ClusterConfiguration";
    public const string ClusterStatusKey = "ClusterStatus";
    public const string KubeadmConfigRole = "kubeadm:nodes-kubeadm-config";

    // kubelet-config-MAJOR.MINOR (phases/kubelet).
    public const string KubeletConfigMapPrefix = "kubelet-config-";
    public const string KubeletConfigRolePrefix = "kubeadm:kubelet-config-";
    public const string KubeletConfigKey = "kubelet";

    // kube-proxy (phases/addons/proxy).
    public const string KubeProxyName = "kube-proxy";
    public const string KubeProxyConfigKey = "config.conf";
    public const string KubeProxyKubeconfigKey = "kubeconfig.conf";
    public const string NodeProxierBinding = "kubeadm:node-proxier";
    public const string NodeProxierClusterRole = "system:node-proxier";
}
