using System.Collections.Concurrent;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Etcd;

/// <summary>
/// The run's readings of etcd (<see cref="EtcdObserver"/>), one per phase: the targets of a phase plan in parallel from
/// the same reading, and the next phase reads again (the one before it may have changed the membership).
/// </summary>
internal sealed class EtcdSource
{
    private readonly ConcurrentDictionary<ILeafPhase, Lazy<Task<EtcdObservation>>> _readings = new(ReferenceEqualityComparer.Instance);

    public Task<EtcdObservation> ObserveAsync(PhaseContext context, ILeafPhase phase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(phase);
        return _readings.GetOrAdd(phase, _ => new Lazy<Task<EtcdObservation>>(() => EtcdObserver.ReadAsync(
            [.. context.Config.EtcdMembers.Select(h => (h, (Remote.ICommandRunner)context.View(h.Name)))], context.Redactor, cancellationToken))).Value;
    }
}
