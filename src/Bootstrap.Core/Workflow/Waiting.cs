namespace Bootstrap.Core.Workflow;

/// <summary>
/// One target's side of the run's <see cref="WaitLog"/>: code that waits for a component starts a <see cref="Wait"/>
/// here, and can sleep between its probes only through that wait (<see cref="Wait.DelayAsync"/>), so no poll goes uncounted.
/// Changes get it as <see cref="ApplyContext.Waiting"/>; a phase that waits while it plans, from <see cref="PhaseContext.Waiting"/>.
/// </summary>
public sealed class Waiting
{
    private readonly WaitLog _log;
    private readonly string _target;

    internal Waiting(WaitLog log, string target)
    {
        _log = log;
        _target = target;
    }

    public TimeProvider Time => _log.Time;

    /// <summary>
    /// Starts a wait: from now until the returned wait is disposed (the condition holds, or the wait gave up), the target
    /// counts as waiting, the probes made meanwhile included.
    /// </summary>
    public Wait Begin() => new(_log, _target);

    /// <summary>For waits outside a workflow run (an etcd snapshot restore): counted where nobody reads them.</summary>
    public static Waiting Uncounted(TimeProvider time) => new WaitLog(time).For(string.Empty);
}
