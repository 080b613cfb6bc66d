using Bootstrap.Core.Config;
using Bootstrap.Core.Upgrade;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Upgrade;

/// <summary>
/// <c>skew</c>: what the hosts run (from <c>versions</c>) and what the kubelets report (the Nodes) against the version-skew
/// policy and kubeadm's upgrade rules (<see cref="SkewPolicy"/>); refuses before anything changes, with every reason.
/// Planned in its turn only: it reads what <c>versions</c> gathered while it planned.
/// </summary>
internal sealed class SkewPhase(bool allowDowngrade) : IPlannedInTurn
{
    public string Name => "skew";

    public string Description => "Refuse what the version-skew policy forbids (one minor at a time, kubelets not newer than the API servers, etcd never a minor back, downgrades only with --allow-downgrade)";

    public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config) => [PhaseTarget.Cluster];

    public async Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var kubelets = new Dictionary<string, KubernetesVersion>(StringComparer.Ordinal);
        var notes = new List<string>();
        if (await context.Api.ReaderAsync(context, cancellationToken).ConfigureAwait(false) is { } api)
        {
            foreach (var node in context.Config.Nodes)
            {
                var reported = (await api.NodeAsync(node.Name, cancellationToken).ConfigureAwait(false))?.Status?.NodeInfo?.KubeletVersion;
                if (reported is not null && Config.Parsing.ScalarFormats.Version(reported) is { } version)
                {
                    kubelets[node.Name] = version;
                    notes.Add($"node {node.Name}: kubelet {version} → {context.Config.KubernetesVersion}");
                }
            }
        }
        else
        {
            notes.Add("the API does not answer: the kubelets' versions are not checked");
        }

        var violations = SkewPolicy.Violations(context.Versions.Binaries, kubelets, context.Config.KubernetesVersion, context.Config.Etcd.Version, allowDowngrade);
        return violations.Count == 0
            ? TargetPlan.Nothing([.. notes, $"within the version-skew policy: target Kubernetes {context.Config.KubernetesVersion}, etcd {(context.Config.Etcd.Version is { } etcd ? InstalledVersion.EtcdVersion(etcd) : "(not declared in spec.etcd.version)")}"])
            : TargetPlan.Refuse(
                $"the versions the cluster file asks for are refused ({violations.Count}); nothing was changed:" + string.Concat(violations.Select(v => "\n  " + v)),
                [.. notes]);
    }
}
