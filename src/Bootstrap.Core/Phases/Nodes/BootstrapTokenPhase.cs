using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using k8s;
using k8s.Models;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary><c>bootstrap-token</c>: kubeadm's bootstrap-token RBAC, Bootstrap's for its own node tokens, and the cluster-info ConfigMap.</summary>
internal sealed class BootstrapTokenPhase() : ApiObjectsPhase(
    "bootstrap-token",
    "RBAC for bootstrap tokens (kubeadm's: post CSRs, automatic approval of client CSRs; Bootstrap's node tokens: post CSRs only) and the cluster-info ConfigMap")
{
    protected override IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects(InstallMaterial material) => [.. KubeadmClusterObjects.NodeBootstrapRbac(), .. KubeadmClusterObjects.NodeTokenRbac(), .. KubeadmClusterObjects.ClusterInfo(material.Config, CaPem(material))];
}
