using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using k8s;
using k8s.Models;

namespace Bootstrap.Core.Phases.UploadConfig;

/// <summary><c>kubelet</c>: the KubeletConfiguration every node runs with, as `kubeadm init phase upload-config kubelet` uploads it.</summary>
internal sealed class KubeletConfigPhase() : ApiObjectsPhase("kubelet", "The kubelet-config ConfigMap (the KubeletConfiguration every node runs with)")
{
    protected override IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects(InstallMaterial material) => KubeadmClusterObjects.KubeletConfig(material.Config);
}
