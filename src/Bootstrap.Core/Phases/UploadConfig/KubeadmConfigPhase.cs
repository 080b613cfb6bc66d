using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using k8s;
using k8s.Models;

namespace Bootstrap.Core.Phases.UploadConfig;

/// <summary><c>kubeadm</c>: kubeadm's ClusterConfiguration, as `kubeadm init phase upload-config kubeadm` uploads it.</summary>
internal sealed class KubeadmConfigPhase() : ApiObjectsPhase("kubeadm", "The kubeadm-config ConfigMap (ClusterConfiguration, ClusterStatus)")
{
    protected override IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects(InstallMaterial material) => KubeadmClusterObjects.KubeadmConfig(material.Config);
}
