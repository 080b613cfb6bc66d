using Bootstrap.Core.Remote;
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
/// A host whose processes cannot lower OOM scores (no CAP_SYS_RESOURCE in PID 1's bounding set, as in a container)
/// gets <c>restrict_oom_score_adj</c>: else runc fails every pod sandbox, whose OOM score kubelet asks to be -998.
/// </summary>
internal sealed class ContainerdPhase() : ServicePhase("containerd", "Run containerd (the kubelets' container runtime) on every node, with the cluster's sandbox image")
{
    private readonly NodeFiles _files = new(new Rendering.TemplateRenderer());

    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.Nodes;

    protected override IReadOnlyList<ServiceSpec> Services(InstallMaterial material, HostSpec host) => [ServiceCatalog.Containerd()];

    protected override async Task<IReadOnlyList<DesiredFile>> FilesAsync(HostPlanning host, InstallMaterial material, CancellationToken cancellationToken)
    {
        var status = await host.View.QueryAsync(new RemoteCommand(["cat", "/proc/1/status"]), cancellationToken).ConfigureAwait(false);
        return NodeInstallFiles.Containerd(material.Config, _files, restrictOomScoreAdj: !ProcessCapabilities.CanLowerOomScores(status.Stdout));
    }
}
