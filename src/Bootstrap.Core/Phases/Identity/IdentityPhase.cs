using Bootstrap.Core.Config;
using Bootstrap.Core.Identity;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Identity;

/// <summary>
/// The guard of every run that writes: each host the run acts on is read for the cluster identity it already holds
/// (<see cref="ClusterIdentity"/>), and a host whose CAs, service-account key, encryption keys or VRRP password differ
/// from the cluster state's — or that holds any while the state holds none — stops the run before anything is written,
/// on any host or in the state. The way out is named: the right state directory, or <c>bootstrap state pull</c>.
/// </summary>
internal sealed class IdentityPhase() : HostPhase("identity", "Refuse to write when a host holds another cluster identity (CAs, service-account key, encryption keys, VRRP password) than the cluster state; read-only, runs before anything is written and cannot be skipped"), IGuardPhase
{
    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.Hosts;

    protected override async Task<TargetPlan> PlanAsync(HostPlanning target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var (context, view) = (target.Context, target.View);
        var state = await ClusterIdentity.ReadStateAsync(context.Config.StateDirectory, cancellationToken).ConfigureAwait(false);
        var host = await ClusterIdentity.ReadHostAsync(view, cancellationToken).ConfigureAwait(false);
        var differences = ClusterIdentity.Differences(host, state, new Dictionary<string, byte[]>());
        if (differences.Count == 0)
        {
            return TargetPlan.Nothing(host.IsEmpty ? "holds no cluster identity yet" : "holds the cluster identity of the state");
        }

        // Certificates are public: read the host's to name them by subject and fingerprint.
        var certificates = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var file in ClusterIdentity.PkiFiles.Where(f => f.IsCertificate && host.Sha256ByHostPath.ContainsKey(f.HostPath)))
        {
            if (await view.ReadAsync(file.HostPath, cancellationToken).ConfigureAwait(false) is { } content)
            {
                certificates[file.HostPath] = content;
            }
        }

        differences = ClusterIdentity.Differences(host, state, certificates);
        var from = context.Config.ControlPlaneHosts.FirstOrDefault()?.Name ?? target.Host.Name;
        var lines = string.Concat(differences.Select(d => "\n  " + d));
        return TargetPlan.Refuse(state.Exists
            ? $"holds another cluster identity than the cluster state in {state.Root}:{lines}\n"
                + "Writing it would replace the identity every certificate, token and encrypted Secret of the running cluster depends on. "
                + "Nothing was changed. Use the state directory of the cluster that runs here (spec.stateDirectory), or move this one aside and import "
                + $"the running cluster's identity with `bootstrap state pull -f CLUSTER_FILE --from {from}`."
                + (ClusterIdentity.DifferingFiles(host, state) is { Count: > 0 } files
                    ? $" If only this host differs (the other hosts hold the state's identity) because its {(files.Count == 1 ? "file was" : "files were")} damaged or replaced by hand, "
                        + $"remove {(files.Count == 1 ? "it" : "them")} on {target.Host.Name} (`sudo rm -- {string.Join(' ', files)}`) and run again: a missing file is written from the state."
                    : string.Empty)
            : $"already belongs to a cluster, but the cluster state in {state.Root} holds none:{lines}\n"
                + "A run from this state would make a new identity and replace the running cluster's. Nothing was changed. "
                + $"Import the running cluster's identity first: `bootstrap state pull -f CLUSTER_FILE --from {from}`; "
                + "or, to install a new cluster on this host, reset it first (remove /etc/kubernetes and the etcd data).");
    }
}
