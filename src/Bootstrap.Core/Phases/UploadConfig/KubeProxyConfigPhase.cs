using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using k8s;
using k8s.Models;

namespace Bootstrap.Core.Phases.UploadConfig;

/// <summary><c>kube-proxy</c>: kube-proxy's ServiceAccount, ConfigMap and RBAC, as kubeadm's kube-proxy addon makes them.</summary>
internal sealed class KubeProxyConfigPhase() : ApiObjectsPhase("kube-proxy", "The kube-proxy ServiceAccount, its ConfigMap and RBAC")
{
    protected override IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects(InstallMaterial material) => KubeadmClusterObjects.KubeProxy(material.Config);
}
