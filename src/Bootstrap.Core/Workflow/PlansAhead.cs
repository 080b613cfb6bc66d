using Bootstrap.Core.Remote;
using Serilog;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// Plans made ahead of their phase's turn, so that a run that has nothing to do costs about its slowest plan instead of the sum
/// of every phase's round trips. On a cluster an earlier run left a record of (<see cref="ReadAhead.HasRecord"/>), every target
/// of every phase after the first is planned as soon as the run starts, all at once (at most <c>spec.ssh.concurrency</c> hosts'
/// plans at a time, in phase order once their host's snapshot came, and as many of the cluster's beside them: those read the API
/// from the workstation, and must not wait behind host plans that wait for their snapshots), against a context of their own (<see cref="PhaseContext.Ahead"/>): nothing the run's phases produce
/// is shared with them. In its turn, a phase takes a target's plan made ahead instead of planning it again only when:
/// <list type="bullet">
/// <item>no earlier phase of the run planned a change, refused or failed (so nothing was, or in a dry run would have been,
/// changed before it: the hosts, the API and the state are as they were when the plan was made, plans being read-only);</item>
/// <item>that plan changes nothing and refuses nothing (anything else is planned again in the turn, as without plans ahead);</item>
/// <item>its planning had started (one still waiting for its turn at the gate is dropped, and the target planned at once; a host's
/// plan counts as started from when it waits for its host's snapshot, as its turn would).</item>
/// </list>
/// A preparing phase's work on the workstation (<see cref="IPreparingPhase"/>) is planned ahead like a target; a check that only
/// reads (<see cref="TargetPlan.VerifyReadsOnly"/>) of a plan that changes nothing runs ahead with it (a check that fails
/// ahead makes the target plan and check again in its turn). Nothing made ahead waits: a plan or check that comes to a wait's
/// first sleep (a component not there yet, or down) is given up ahead at once and made in its turn (<see cref="PhaseContext.NeverWaits"/>),
/// so a wait never holds a place at the gate that the plans of earlier phases need.
/// From the first change, refusal or failure on, the plans still running are cancelled and every phase plans in its turn.
/// Phases whose plan gathers into the run's context for a later plan, or reads what an earlier one gathered there
/// (<see cref="IPlannedInTurn"/>), are never planned ahead.
/// </summary>
internal sealed class PlansAhead : IAsyncDisposable
{
    private const int Waiting = 0;
    private const int Started = 1;
    private const int Dropped = 2;

    private readonly PhaseContext _context;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate;
    private readonly SemaphoreSlim _clusterGate;
    private readonly CancellationTokenSource _stop;
    private readonly Dictionary<(string Path, string Target), Entry> _entries = [];
    private int _stopped;
    private int _taken;

    private PlansAhead(PhaseContext context, ILogger logger, int concurrency, CancellationToken cancellationToken)
    {
        _context = context;
        _logger = logger;
        _gate = new SemaphoreSlim(concurrency);
        _clusterGate = new SemaphoreSlim(concurrency);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>How a target is planned (the runner's own planning, with a gate it may wait on).</summary>
    internal delegate Task<PlannedTarget> Planner(WorkflowStep step, PhaseTarget target, PhaseContext context, SemaphoreSlim gate, CancellationToken cancellationToken);

    /// <summary>Starts the plans ahead of <paramref name="steps"/> (see the class); null when the run makes none.</summary>
    public static PlansAhead? Start(IReadOnlyList<WorkflowStep> steps, PhaseContext context, Planner plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(plan);
        var ahead = steps.Where(s => s.Included).Skip(1).Where(s => s.Phase is not IPlannedInTurn).ToList();
        if (context.Reads is not { HasRecord: true } || ahead.Count == 0)
        {
            return null;
        }

        var plans = new PlansAhead(context.Ahead(), context.Logger, Math.Max(1, context.Config.SshConcurrency), cancellationToken);
        foreach (var step in ahead)
        {
            // A preparing phase's work on the workstation (certs: the state's PKI) is planned ahead too, as a target of its own.
            foreach (var target in step.Phase is IPreparingPhase ? step.Targets.Prepend(PhaseTarget.Workstation) : step.Targets)
            {
                var entry = new Entry();
                plans._entries[(step.Path, target.Name)] = entry;
                entry.Plan = Task.Run(() => plans.PlanAsync(entry, step, target, plan), CancellationToken.None);
            }
        }

        return plans;
    }

    /// <summary>
    /// The plan made ahead for <paramref name="target"/> of <paramref name="step"/> when the phase may take it (see the class);
    /// null when the target is to be planned in its turn.
    /// </summary>
    public async Task<PlannedTarget?> TakeAsync(WorkflowStep step, PhaseTarget target, long started)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(target);
        if (!_entries.TryGetValue((step.Path, target.Name), out var entry))
        {
            return null;
        }

        if (Volatile.Read(ref _stopped) != 0)
        {
            entry.NotTaken = "an earlier phase planned a change, refused or failed";
            return null;
        }

        if (Interlocked.CompareExchange(ref entry.State, Dropped, Waiting) == Waiting)
        {
            entry.NotTaken = "still waiting for the gate";
            return null;
        }

        var planned = await entry.Plan.ConfigureAwait(false);
        if (planned is not { ChangesNothing: true } || Volatile.Read(ref _stopped) != 0)
        {
            entry.NotTaken = planned is null ? (entry.WouldWait ? "it waits for a component, which only a turn does" : "failed or stopped ahead") : planned.ChangesNothing ? "an earlier phase planned a change, refused or failed" : "it plans a change or a refusal";
            return null;
        }

        Interlocked.Increment(ref _taken);
        return planned with { Started = started };
    }

    /// <summary>A phase planned a change, refused or failed: from now on every phase plans in its turn, and the plans still running stop.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            _stop.Cancel();
        }
    }

    /// <summary>Stops the plans still running, waits for them and says at debug level how many plans the phases took.</summary>
    public async ValueTask DisposeAsync()
    {
        Stop();
        foreach (var entry in _entries.Values)
        {
            await entry.Plan.ConfigureAwait(false);
        }

        _logger.Debug("[{Phase}] {Taken} of {Count} target plans were taken from the plans made ahead", "plans-ahead", _taken, _entries.Count);
        foreach (var ((path, target), entry) in _entries.Where(e => e.Value.NotTaken is not null))
        {
            _logger.Debug("[{Phase}] {Path} on {Target} was planned in its turn: {Reason}", "plans-ahead", path, target, entry.NotTaken);
        }

        await _context.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
        _clusterGate.Dispose();
        _stop.Dispose();
    }

    private async Task<PlannedTarget?> PlanAsync(Entry entry, WorkflowStep step, PhaseTarget target, Planner plan)
    {
        var gate = target.Name == PhaseTarget.ClusterName ? _clusterGate : _gate;

        // A host's plan reads what its host's snapshot brings: it waits for that outside the gate, so that the plans of hosts whose
        // snapshots came first are made meanwhile (holding a place, it would keep them waiting behind the slowest host). It counts
        // as started from then on: its turn takes it, waiting for the snapshot as a plan made in the turn would.
        var snapshotFirst = _context.Reads is not null && target.Name is not (PhaseTarget.ClusterName or PhaseTarget.WorkstationName);
        try
        {
            if (snapshotFirst)
            {
                if (Interlocked.CompareExchange(ref entry.State, Started, Waiting) != Waiting)
                {
                    return null;
                }

                await _context.Reads!.SettledAsync(target.Name, _stop.Token).ConfigureAwait(false);
            }

            await gate.WaitAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        try
        {
            if (!snapshotFirst && Interlocked.CompareExchange(ref entry.State, Started, Waiting) != Waiting)
            {
                return null;
            }

            PlannedTarget planned;
            if (target.Name == PhaseTarget.WorkstationName && step.Phase is IPreparingPhase preparing)
            {
                var started = _context.Time.GetTimestamp();
                _context.Reads?.BeginPlanning(step.Path, target.Name);
                planned = new PlannedTarget(target, started, await preparing.PrepareAsync(_context, _stop.Token).ConfigureAwait(false), null, null);
            }
            else
            {
                // The gate above bounds the plans ahead; the planner's own gate is then always open.
                using var open = new SemaphoreSlim(1);
                planned = await plan(step, target, _context, open, _stop.Token).ConfigureAwait(false);
            }

            // A check that only reads runs now too (never in a dry run, which checks nothing): its lines are the turn's. It sees
            // the hosts as the plans do: its first reading of each command may come from the host's snapshot (a wait's first poll,
            // answered by what the host returned moments ago; its later polls read the host).
            if (!_context.DryRun && planned is { ChangesNothing: true, Plan: { Verify: { } verify, VerifyReadsOnly: true } made })
            {
                IReadOnlyList<string> lines;
                _context.Reads?.BeginChecking(step.Path, target.Name);
                try
                {
                    lines = await verify(new ApplyContext(_context, CheckedHosts(), target.Name), _stop.Token).ConfigureAwait(false);
                }
                finally
                {
                    _context.Reads?.EndPlanning();
                }

                planned = planned with { Plan = made with { Verify = (_, _) => Task.FromResult(lines) } };
            }

            return planned;
        }
        catch (WaitNotAheadException)
        {
            entry.WouldWait = true;
            return null;
        }
#pragma warning disable CA1031 // A plan ahead that fails is never taken: the phase plans the target in its turn and reports that.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The hosts as a check made ahead reads them: through the run's snapshots when it has them.</summary>
    private IReadOnlyDictionary<string, IRemoteHost> CheckedHosts() => _context.Reads?.CheckedHosts(_context.Hosts) ?? _context.Hosts;

    private sealed class Entry
    {
        public int State = Waiting;

        /// <summary>Whether the plan or its check came to a wait's first sleep, and so was given up ahead (<see cref="WaitNotAheadException"/>).</summary>
        public volatile bool WouldWait;

        /// <summary>Why the phase planned the target in its turn instead of taking this plan (null: taken, or never asked for).</summary>
        public string? NotTaken;

        public Task<PlannedTarget?> Plan { get; set; } = Task.FromResult<PlannedTarget?>(null);
    }
}
