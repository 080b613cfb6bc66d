using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using k8s;
using k8s.Models;

namespace Bootstrap.Core.Phases.Addons;

/// <summary>
/// <c>addon/coredns</c>: the cluster DNS add-on as <c>kubeadm init phase addon coredns</c> v1.20.2 installs it
/// (<see cref="CoreDnsObjects"/>), through the API. As kubeadm does, an existing Deployment keeps its replica count
/// (an admin may scale it) and an existing Corefile is kept (an admin may add stub domains or forwarders); the
/// other objects are kept as kubeadm makes them. <c>addons.coreDNS: false</c> turns the phase off for admins who
/// bring their own DNS: nothing is created, and nothing is deleted.
/// </summary>
internal sealed class CoreDnsPhase() : ApiObjectsPhase("coredns", "Install the CoreDNS add-on (Deployment, the kube-dns Service, ConfigMap, ServiceAccount, RBAC) as kubeadm does")
{
    private readonly Rendering.TemplateRenderer _renderer = new();

    protected override IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects(InstallMaterial material)
    {
        ArgumentNullException.ThrowIfNull(material);
        return CoreDnsObjects.Build(material.Config, _renderer);
    }

    protected override async Task<IReadOnlyList<IKubernetesObject<V1ObjectMeta>>> ObjectsAsync(InstallMaterial material, IClusterReader? api, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(material);
        var deployed = api is null ? null : await api.DeploymentAsync(CoreDnsObjects.Name, KubeadmObjectNames.KubeSystem, cancellationToken).ConfigureAwait(false);
        return CoreDnsObjects.Build(material.Config, _renderer, deployed?.Spec?.Replicas ?? CoreDnsObjects.Replicas);
    }

    protected override string? Disabled(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Addons.CoreDns ? null : "addons.coreDNS is false: cluster DNS is yours to run (nothing is created or deleted)";
    }

    protected override string? KeptWhenChanged(IKubernetesObject<V1ObjectMeta> wanted) =>
        wanted is V1ConfigMap { Metadata.Name: CoreDnsObjects.Name }
            ? "its Corefile differs from kubeadm's default, and an edited Corefile is kept, as kubeadm keeps it"
            : null;
}
