namespace Bootstrap.Core.Workflow;

/// <summary>
/// A leaf with work on the workstation before its targets: e.g. <c>certs</c> completes the PKI in the cluster
/// state before it installs each host's part. The changes are reported under <see cref="PhaseTarget.Workstation"/>
/// and applied before any target is planned; what they produce is published on the <see cref="PhaseContext"/>
/// (in a dry run, as it would be), so the targets' plans see it.
/// </summary>
public interface IPreparingPhase : ILeafPhase
{
    Task<TargetPlan> PrepareAsync(PhaseContext context, CancellationToken cancellationToken);
}
