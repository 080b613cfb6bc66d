using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Install;
using Bootstrap.Core.Phases.Install;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Etcd;

/// <summary>
/// <c>etcd/member</c>: an etcd member as a systemd unit with its own user and data directory. Members of a new
/// cluster start together without waiting (they need each other for quorum; <c>etcd/health</c> waits); a running
/// member whose files change restarts in its turn, healthy before the next.
/// </summary>
internal sealed class EtcdMemberPhase() : ServicePhase("member", "Run an etcd member as a systemd unit (members of a new cluster start together)")
{
    private readonly InstallFiles _files = new(new Rendering.TemplateRenderer());

    protected override bool WaitAfterStart => false;

    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.EtcdMembers;

    protected override IReadOnlyList<ServiceSpec> Services(InstallMaterial material, HostSpec host) => [ServiceCatalog.Etcd()];

    protected override Task<IReadOnlyList<DesiredFile>> FilesAsync(HostPlanning host, InstallMaterial material, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<DesiredFile>>([_files.EtcdUnit(material, host.Host)]);

    protected override async Task<IReadOnlyList<Change>> PrepareAsync(HostPlanning host, CancellationToken cancellationToken)
    {
        var changes = new List<Change>();
        if (await HostPreparation.EtcdUserAsync(host.View, cancellationToken).ConfigureAwait(false) is { } user)
        {
            changes.Add(user);
        }

        if (await HostPreparation.DirectoryAsync(host.View, KubeadmLayout.EtcdDataDir, "0700", InstallFiles.EtcdUser, cancellationToken).ConfigureAwait(false) is { } directory)
        {
            changes.Add(directory);
        }

        return changes;
    }
}
