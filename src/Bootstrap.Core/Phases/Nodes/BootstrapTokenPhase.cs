using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using k8s;
using k8s.Models;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary><c>bootstrap-token</c>: kubeadm's bootstrap-token RBAC and the cluster-info ConfigMap.</summary>
internal sealed class BootstrapTokenPhase() : ApiObjectsPhase("bootstrap-token", "RBAC for bootstrap tokens (post CSRs, automatic approval of client CSRs) and the cluster-info ConfigMap")
{
    protected override IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects(InstallMaterial material) => [.. KubeadmClusterObjects.NodeBootstrapRbac(), .. KubeadmClusterObjects.ClusterInfo(material.Config, CaPem(material))];
}
