using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Pki;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Certs;

/// <summary>
/// <c>certs</c>: completes the cluster state on the workstation (the PKI from its catalog; the encryption keys and
/// the VRRP password when the state is new) — the only phase that writes the state — then installs each control-plane
/// host's and etcd member's certificates and keys. A changed file that a running service reads is left to that
/// service's phase, which writes it in the host's turn.
/// </summary>
internal sealed class CertsPhase() : HostPhase("certs", "Generate the PKI in the cluster state (once) and install each host's certificates and keys"), IPreparingPhase
{
    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) =>
        config.Hosts.Where(h => h.HasRole(HostRole.ControlPlane) || config.EtcdMembers.Contains(h));

    public async Task<TargetPlan> PrepareAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var plan = await StatePlan.CreateAsync(context.Config, context.Time, cancellationToken).ConfigureAwait(false);
        context.Material.Produce(await MaterialSource.LoadAsync(context, plan.Pending, cancellationToken).ConfigureAwait(false));

        // The state is written as one batch, in its safe order, by whichever change is applied first.
        var commit = new Lazy<Task<IReadOnlyList<string>>>(() => plan.CommitAsync(cancellationToken));
        Func<ApplyContext, CancellationToken, Task<IReadOnlyList<string>>> write = async (_, _) =>
        {
            await commit.Value.ConfigureAwait(false);
            return [];
        };
        var changes = plan.Pki.Items
            .Where(i => i.Action != PkiChangeAction.Unchanged)
            .Select(i => new Change
            {
                Host = PhaseTarget.WorkstationName,
                Kind = i.Action switch
                {
                    PkiChangeAction.Created => ChangeKind.StateCreate,
                    PkiChangeAction.Reissued => ChangeKind.StateReissue,
                    _ => ChangeKind.StateWrite,
                },
                Target = i.Name,
                Reason = i.Reason,
                Apply = write,
            })
            .Concat(plan.Secrets.Select(s => new Change
            {
                Host = PhaseTarget.WorkstationName,
                Kind = ChangeKind.StateCreate,
                Target = Path.GetFileName(s.Path),
                Reason = "a new cluster state",
                Apply = write,
            }))
            .ToList();
        if (changes.Count == 0 && plan.Files.Count > 0)
        {
            changes.Add(new Change
            {
                Host = PhaseTarget.WorkstationName,
                Kind = ChangeKind.StateWrite,
                Target = string.Join(", ", plan.Files.Select(f => f.Path)),
                Apply = write,
            });
        }

        return TargetPlan.Of(changes);
    }

    protected override async Task<TargetPlan> PlanAsync(HostPlanning host, CancellationToken cancellationToken)
    {
        var material = await host.MaterialAsync(cancellationToken).ConfigureAwait(false);
        return await host.SharedFilesAsync(InstallFiles.Certificates(material, host.Host), cancellationToken).ConfigureAwait(false);
    }
}
