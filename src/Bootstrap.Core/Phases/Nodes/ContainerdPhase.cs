using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary>
/// <c>containerd</c>: the container runtime the kubelets use (CRI), on every node, with the cluster's sandbox image
/// and Debian's CNI plugins. Its own phase, before <c>images</c> and <c>kubelet-start</c>, because images are imported
/// into a running containerd before a kubelet needs them. kubeadm leaves the runtime to the admin; Bootstrap
/// configures Debian's package. A restart (new configuration) rolls one node at a time; running containers keep running.
/// </summary>
internal sealed class ContainerdPhase() : ServicePhase("containerd", "Run containerd (the kubelets' container runtime) on every node, with the cluster's sandbox image")
{
    private readonly NodeFiles _files = new(new Rendering.TemplateRenderer());

    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.Nodes;

    protected override IReadOnlyList<ServiceSpec> Services(InstallMaterial material, HostSpec host) => [ServiceCatalog.Containerd()];

    protected override Task<IReadOnlyList<DesiredFile>> FilesAsync(HostPlanning host, InstallMaterial material, CancellationToken cancellationToken) =>
        Task.FromResult(NodeInstallFiles.Containerd(material.Config, _files));
}
