using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Install;
using Bootstrap.Core.Upgrade;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Upgrade;

/// <summary>
/// <c>versions</c>: reads the version and sha256 of every binary Bootstrap runs on each host and sets them against the cluster
/// file's (the artifacts' digests, <c>kubernetesVersion</c>, <c>spec.etcd.version</c>). Read-only. Planned in its turn only: its
/// plan gathers the versions into the run's context, where <c>skew</c> reads them.
/// </summary>
internal sealed class VersionsPhase() : HostPhase("versions", "Read the version of every binary on each host against the cluster file's (read-only)"), IPlannedInTurn
{
    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.Hosts.Where(h => InstallFiles.BinariesFor(config, h).Count > 0);

    protected override async Task<TargetPlan> PlanAsync(HostPlanning host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        var material = await host.MaterialAsync(cancellationToken).ConfigureAwait(false);
        var binaries = InstallFiles.BinariesFor(host.Config, host.Host);
        var versions = VersionProbe.Parse((await host.View.QueryAsync(VersionProbe.Command(binaries), cancellationToken).ConfigureAwait(false)).Stdout);
        var files = await host.View.FilesAsync([.. binaries.Select(b => $"{KubeadmLayout.BinDir}/{b}")], cancellationToken).ConfigureAwait(false);
        var notes = new List<string>();
        foreach (var binary in binaries)
        {
            var target = Config.ArtifactsSpec.EtcdFiles.Contains(binary) ? host.Config.Etcd.Version : host.Config.KubernetesVersion;
            var installed = new InstalledVersion(host.Host.Name, binary, versions.GetValueOrDefault(binary), files[$"{KubeadmLayout.BinDir}/{binary}"]?.Sha256,
                target, material.Artifacts.Binary(binary).Sha256);
            host.Context.Versions.Add(installed);
            notes.Add($"{binary}: {installed.Show(installed.Current)} → {(installed.Changes ? installed.Target is null ? "another build (declare spec.etcd.version to check its version)" : installed.Show(installed.Target) : "unchanged")}");
        }

        return TargetPlan.Nothing([.. notes]);
    }
}
