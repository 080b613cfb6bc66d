using Bootstrap.Core.Config;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// Runs the leaves of a <see cref="PhaseTree"/> in order, converging each on its targets in two steps: every
/// target is planned first (read-only, in parallel, at most <see cref="ClusterConfig.SshConcurrency"/> at once);
/// if any target is refused, nothing is applied anywhere and the phase fails; otherwise, unless the run is dry,
/// each target's changes are applied (a target whose plan is <see cref="TargetPlan.Rolling"/> waits for its turn
/// of the phase's <see cref="Roll"/>). A failure on one target never hides the others, but once a phase failed no
/// later phase starts. Cancelling stops the run and the result says which phase was interrupted and which never started.
/// Each target's and each phase's outcome also says how much of its time went to waiting for components (<see cref="WaitLog"/>).
/// On a cluster an earlier run recorded, a target may take the plan made for it ahead of its phase's turn (<see cref="PlansAhead"/>).
/// </summary>
public sealed class WorkflowRunner
{
    /// <summary>
    /// How many <see cref="Change.SideBySide"/> changes of one target are applied at once: each is a few commands on the host,
    /// whose round trips then overlap (a control plane's two dozen PKI files), while the host's connection and its sshd
    /// (ten sessions per connection by default) keep room for everything else; or an eviction of one of a node's pods, which
    /// waits for the pod's grace period.
    /// </summary>
    public const int SideBySideLimit = 4;

    private readonly IWorkflowObserver _observer;

    public WorkflowRunner(IWorkflowObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        _observer = observer;
    }

    /// <exception cref="WorkflowSelectionException">The selection names a phase the tree does not have.</exception>
    public async Task<WorkflowResult> RunAsync(PhaseTree tree, WorkflowSelection selection, PhaseContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(context);
        var problems = selection.Problems(tree, context.Config);
        if (problems.Count > 0)
        {
            throw new WorkflowSelectionException(problems);
        }

        var steps = selection.Steps(tree, context.Config);
        context.Leaves = [.. steps.Where(s => s.Included).Select(s => s.Phase)];
        await using var ahead = PlansAhead.Start(steps, context, PlanTargetAsync, cancellationToken);
        var outcomes = new List<PhaseOutcome>();
        var stopped = false;
        foreach (var step in steps)
        {
            PhaseOutcome outcome;
            if (!step.Included)
            {
                outcome = new PhaseOutcome { Path = step.Path, State = PhaseState.Skipped };
            }
            else if (stopped || cancellationToken.IsCancellationRequested)
            {
                outcome = new PhaseOutcome { Path = step.Path, State = PhaseState.NotStarted };
            }
            else
            {
                outcome = await RunLeafAsync(step, context, ahead, cancellationToken).ConfigureAwait(false);
                stopped = outcome.State != PhaseState.Completed;
                outcomes.Add(outcome);
                continue;
            }

            Emit(new WorkflowEvent { Kind = WorkflowEventKind.PhaseFinished, Phase = step.Path, Time = context.Time.GetUtcNow(), State = outcome.State });
            outcomes.Add(outcome);
        }

        var result = new WorkflowResult { Phases = outcomes };
        if (!context.DryRun && result.Succeeded && !cancellationToken.IsCancellationRequested)
        {
            // Bookkeeping, not a change: the files the run hashed in full go into the hosts' manifests (no event, nothing restarts).
            await context.InstalledFiles.RecordAsync(new ApplyContext(context, context.Hosts), cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>The hosts the leaves <paramref name="selection"/> runs would act on, in file order: the hosts a run needs connected.</summary>
    public static IReadOnlyList<HostSpec> HostsOf(PhaseTree tree, WorkflowSelection selection, ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(config);
        var names = selection.Steps(tree, config)
            .Where(s => s.Included && s.Phase is not IApiPhase)
            .SelectMany(s => s.Targets)
            .Where(t => t.Host is not null)
            .Select(t => t.Name)
            .ToHashSet(StringComparer.Ordinal);
        return config.Hosts.Where(h => names.Contains(h.Name)).ToList();
    }

    private async Task<PhaseOutcome> RunLeafAsync(WorkflowStep step, PhaseContext context, PlansAhead? ahead, CancellationToken cancellationToken)
    {
        var started = context.Time.GetTimestamp();
        var preparing = step.Phase as IPreparingPhase;
        Emit(new WorkflowEvent
        {
            Kind = WorkflowEventKind.PhaseStarted,
            Phase = step.Path,
            Time = context.Time.GetUtcNow(),
            Hosts = [.. (preparing is null ? [] : new[] { PhaseTarget.WorkstationName }), .. step.Targets.Select(t => t.Name)],
        });

        var hosts = new List<TargetOutcome>();
        if (preparing is not null)
        {
            var made = ahead is null ? null : await ahead.TakeAsync(step, PhaseTarget.Workstation, context.Time.GetTimestamp()).ConfigureAwait(false);
            var prepared = await ConvergeAsync(step.Path, PhaseTarget.Workstation, ct => preparing.PrepareAsync(context, ct), made, context, cancellationToken)
                .ConfigureAwait(false);
            hosts.Add(prepared);
            if (prepared.Outcome is not { Succeeded: true, Changed: false })
            {
                ahead?.Stop();
            }
        }

        if (hosts.All(h => h.Outcome.Succeeded))
        {
            using var gate = new SemaphoreSlim(Math.Max(1, context.Config.SshConcurrency));
            using var roll = new Roll(step.Path);
            var plans = await Task.WhenAll(step.Targets.Select(async target =>
                (ahead is null ? null : await ahead.TakeAsync(step, target, context.Time.GetTimestamp()).ConfigureAwait(false))
                ?? await PlanTargetAsync(step, target, context, gate, cancellationToken).ConfigureAwait(false))).ConfigureAwait(false);
            if (!plans.All(p => p.ChangesNothing))
            {
                // A change (or a refusal, or a failure) from here on: the later phases plan in their turn.
                ahead?.Stop();
            }

            // A refusal anywhere means nothing is applied anywhere in this phase.
            var refused = plans.Any(p => p.Plan?.Refusal is not null || p.Failed is not null);
            // Targets that restart a running service take their turns one after the other, in the phase's order
            // (RollOrder, then file order); the others are applied meanwhile, in parallel.
            var rolling = plans.Where(p => p.Plan is { Rolling: true, Changes.Count: > 0 } && !refused)
                .OrderBy(p => p.Plan!.RollOrder)
                .ThenBy(p => step.Targets.ToList().IndexOf(p.Target))
                .ToList();
            var parallel = plans.Except(rolling).Select(p => FinishTargetAsync(step.Path, p, refused, roll, context, gate, cancellationToken)).ToList();
            var turns = Task.Run(async () =>
            {
                var done = new List<TargetOutcome>();
                foreach (var planned in rolling)
                {
                    done.Add(await FinishTargetAsync(step.Path, planned, refused, roll, context, gate, cancellationToken).ConfigureAwait(false));
                }

                return done;
            }, CancellationToken.None);
            var finished = (await Task.WhenAll(parallel).ConfigureAwait(false)).Concat(await turns.ConfigureAwait(false)).ToDictionary(o => o.Outcome.Host, StringComparer.Ordinal);
            hosts.AddRange(plans.Select(p => finished[p.Target.Name]));
        }

        var outcomes = hosts.Select(h => h.Outcome).ToList();
        var state = outcomes.Any(h => h.Status == HostPhaseStatus.Cancelled) ? PhaseState.Interrupted
            : outcomes.Any(h => !h.Succeeded) ? PhaseState.Failed
            : PhaseState.Completed;
        var ended = context.Time.GetTimestamp();
        var outcome = new PhaseOutcome
        {
            Path = step.Path,
            State = state,
            Hosts = outcomes,
            Duration = context.Time.GetElapsedTime(started, ended),
            Waited = context.Waits.Waited(null, started, ended),
        };
        Emit(new WorkflowEvent
        {
            Kind = WorkflowEventKind.PhaseFinished,
            Phase = step.Path,
            Time = context.Time.GetUtcNow(),
            State = state,
            Changed = outcomes.Any(h => h.Changed),
            Duration = outcome.Duration,
            Waited = outcome.Waited,
            Error = state == PhaseState.Failed ? string.Join("; ", outcomes.Where(h => h.Error is not null).Select(h => h.Error)) : null,
        });
        return outcome;
    }

    private static async Task<PlannedTarget> PlanTargetAsync(WorkflowStep step, PhaseTarget target, PhaseContext context, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        var started = context.Time.GetTimestamp();
        try
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                context.Reads?.BeginPlanning(step.Path, target.Name);
                var plan = await step.Phase.PlanAsync(context, target, cancellationToken).ConfigureAwait(false);
                return new PlannedTarget(target, started, plan, null, null);
            }
            finally
            {
                gate.Release();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new PlannedTarget(target, started, null, HostPhaseStatus.Cancelled, $"{target.Name}: cancelled while {step.Path} was reading it");
        }
#pragma warning disable CA1031 // A target's error is recorded against it; it must not hide the other targets' outcomes.
        catch (Exception e)
#pragma warning restore CA1031
        {
            var status = e is PhaseFailedException ? HostPhaseStatus.Failed : HostPhaseStatus.Error;
            return new PlannedTarget(target, started, null, status, NameHost(target.Name, context.Redactor.Redact(e.Message)));
        }
    }

    private async Task<TargetOutcome> FinishTargetAsync(
        string path, PlannedTarget planned, bool refusedSomewhere, Roll roll, PhaseContext context, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        if (planned.Plan is not { } plan)
        {
            return Report(path, planned.Target, context, planned.Started, planned.Failed!.Value, [], [], planned.Error);
        }

        var notes = plan.Notes.Select(context.Redactor.Redact).ToList();
        if (plan.Refusal is not null)
        {
            return Report(path, planned.Target, context, planned.Started, HostPhaseStatus.Failed, notes, plan.Changes, NameHost(planned.Target.Name, context.Redactor.Redact(plan.Refusal)));
        }

        if (refusedSomewhere)
        {
            return plan.Changes.Count == 0
                ? Report(path, planned.Target, context, planned.Started, HostPhaseStatus.Unchanged, notes, [])
                : Report(path, planned.Target, context, planned.Started, HostPhaseStatus.Failed, notes, [],
                    $"{planned.Target.Name}: not changed: {path} refused another target (see its error)");
        }

        return await ApplyAsync(path, planned.Target, plan, planned.Started, roll, context, gate, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Plans (unless <paramref name="made"/> was made ahead) and finishes one target outside the parallel step (the workstation part of a preparing phase).</summary>
    private async Task<TargetOutcome> ConvergeAsync(
        string path, PhaseTarget target, Func<CancellationToken, Task<TargetPlan>> plan, PlannedTarget? made, PhaseContext context, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(1);
        if (made?.Plan is { } madeAhead)
        {
            return await ApplyAsync(path, target, madeAhead, made.Started, roll: null, context, gate, cancellationToken).ConfigureAwait(false);
        }

        var started = context.Time.GetTimestamp();
        TargetPlan planned;
        try
        {
            context.Reads?.BeginPlanning(path, target.Name);
            planned = await plan(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Report(path, target, context, started, HostPhaseStatus.Cancelled, [], [], $"{target.Name}: cancelled while {path} was running");
        }
#pragma warning disable CA1031 // Reported against the target.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return Report(path, target, context, started, e is PhaseFailedException ? HostPhaseStatus.Failed : HostPhaseStatus.Error, [], [],
                NameHost(target.Name, context.Redactor.Redact(e.Message)));
        }
        finally
        {
            // What follows applies the plan: no plan's reads.
            context.Reads?.EndPlanning();
        }

        if (planned.Refusal is not null)
        {
            return Report(path, target, context, started, HostPhaseStatus.Failed, planned.Notes, planned.Changes, NameHost(target.Name, context.Redactor.Redact(planned.Refusal)));
        }

        return await ApplyAsync(path, target, planned, started, roll: null, context, gate, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TargetOutcome> ApplyAsync(
        string path, PhaseTarget target, TargetPlan plan, long started, Roll? roll, PhaseContext context, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        var notes = plan.Notes.Select(context.Redactor.Redact).ToList();
        if (context.DryRun)
        {
            var wouldVerify = plan.VerifyDescription is null ? [] : new[] { plan.VerifyDescription };
            return Report(path, target, context, started, plan.Changes.Count > 0 ? HostPhaseStatus.Changed : HostPhaseStatus.Unchanged,
                [.. plan.Changes.Select(c => context.Redactor.Redact(c.Describe(dryRun: true))), .. notes, .. wouldVerify], plan.Changes);
        }

        var details = new List<string>();
        var applied = new List<Change>();
        var entered = false;
        IDisposable? turn = null;
        try
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            entered = true;
            if (plan.Rolling && plan.Changes.Count > 0)
            {
                turn = await (roll ?? throw new InvalidOperationException("a rolling plan outside a phase")).TurnAsync(target.Name, cancellationToken).ConfigureAwait(false);
            }

            var apply = new ApplyContext(context, context.Hosts, target.Name);
            if (plan.Changes.Count > 0)
            {
                // From the first change on, every plan reads the hosts as they are now, never the run's snapshot of them.
                context.Reads?.Drop(path + " on " + target.Name);
            }

            for (var next = 0; next < plan.Changes.Count;)
            {
                var run = 1;
                while (next + run < plan.Changes.Count && OneRun(plan.Changes[next], plan.Changes[next + run]))
                {
                    run++;
                }

                var done = new IReadOnlyList<string>?[run];
                try
                {
                    await ApplySideBySideAsync(plan.Changes.Skip(next).Take(run).ToList(), apply, done, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    // What was applied, in the plan's order, whether or not the others failed.
                    for (var i = 0; i < run; i++)
                    {
                        if (done[i] is { } extra)
                        {
                            var change = plan.Changes[next + i];
                            applied.Add(change);
                            details.Add(context.Redactor.Redact(change.Describe(dryRun: false)));
                            details.AddRange(extra.Select(context.Redactor.Redact));
                        }
                    }
                }

                next += run;
            }

            if (plan.Verify is not null)
            {
                details.AddRange((await VerifyAsync(path, target, plan, apply, context, cancellationToken).ConfigureAwait(false)).Select(context.Redactor.Redact));
            }

            return Report(path, target, context, started, applied.Count > 0 ? HostPhaseStatus.Changed : HostPhaseStatus.Unchanged, [.. details, .. notes], applied);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Report(path, target, context, started, HostPhaseStatus.Cancelled, details, applied,
                entered ? $"{target.Name}: cancelled while {path} was running" : $"{target.Name}: cancelled before {path} started");
        }
#pragma warning disable CA1031 // A target's error is recorded against it; it must not hide the other targets' outcomes.
        catch (Exception e)
#pragma warning restore CA1031
        {
            var message = context.Redactor.Redact(e.Message);
            if (turn is not null)
            {
                Roll.Fail(turn, message.Split('\n')[0]);
            }

            return Report(path, target, context, started, e is PhaseFailedException ? HostPhaseStatus.Failed : HostPhaseStatus.Error, details, applied,
                NameHost(target.Name, message));
        }
        finally
        {
            turn?.Dispose();
            if (entered)
            {
                gate.Release();
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="later"/> joins the run of side-by-side changes <paramref name="first"/> begins: both may go side
    /// by side, <paramref name="later"/> does not begin a run of its own (<see cref="Change.BeginsRun"/>), and both are evictions
    /// through the API or neither is. A node's evictions (a drain) end before its own changes begin, as an admin expects of a
    /// drained node.
    /// </summary>
    private static bool OneRun(Change first, Change later) =>
        first.SideBySide && later.SideBySide && !later.BeginsRun && (first.Kind == ChangeKind.ApiDelete) == (later.Kind == ChangeKind.ApiDelete);

    /// <summary>
    /// Applies <paramref name="changes"/> (one, or a run of <see cref="Change.SideBySide"/> ones) at most <see cref="SideBySideLimit"/>
    /// at a time (the changes of one batch, <see cref="Change.Together"/>, count as one), each one's report lines into
    /// <paramref name="done"/> at its index. After a failure none starts; those already running finish, and the first failure
    /// (in the plan's order) is thrown.
    /// </summary>
    private static async Task ApplySideBySideAsync(IReadOnlyList<Change> changes, ApplyContext apply, IReadOnlyList<string>?[] done, CancellationToken cancellationToken)
    {
        if (changes.Count == 1)
        {
            done[0] = changes[0].Apply is { } only ? await only(apply, cancellationToken).ConfigureAwait(false) : [];
            return;
        }

        // The changes that name one batch go to it together, as one of the run's units; every other change is a unit of its own.
        var units = changes.Select((change, index) => (change, index))
            .GroupBy(c => c.change.Together is { } batch ? (object)batch : c.index)
            .Select(g => g.ToList())
            .ToList();
        using var limit = new SemaphoreSlim(SideBySideLimit);
        var failed = 0;
        await Task.WhenAll(units.Select(async unit =>
        {
            await limit.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (Volatile.Read(ref failed) != 0)
                {
                    return;
                }

                if (unit is [var (change, index)])
                {
                    done[index] = change.Apply is { } make ? await make(apply, cancellationToken).ConfigureAwait(false) : [];
                }
                else
                {
                    await unit[0].change.Together!.ApplyAsync([.. unit.Select(u => u.change)], apply, (k, lines) => done[unit[k].index] = lines, cancellationToken)
                        .ConfigureAwait(false);
                }
            }
            catch
            {
                Interlocked.Exchange(ref failed, 1);
                throw;
            }
            finally
            {
                limit.Release();
            }
        })).ConfigureAwait(false);
    }

    private TargetOutcome Report(
        string path, PhaseTarget target, PhaseContext context, long started, HostPhaseStatus status, IReadOnlyList<string> details, IReadOnlyList<Change> changes, string? error = null)
    {
        var redacted = changes.Select(c => c with
        {
            Target = context.Redactor.Redact(c.Target),
            From = c.From is null ? null : context.Redactor.Redact(c.From),
            To = c.To is null ? null : context.Redactor.Redact(c.To),
            Reason = c.Reason is null ? null : context.Redactor.Redact(c.Reason),
            Apply = null,
        }).ToList();
        var ended = context.Time.GetTimestamp();
        var outcome = new HostPhaseOutcome
        {
            Host = target.Name,
            Status = status,
            Duration = context.Time.GetElapsedTime(started, ended),
            Waited = context.Waits.Waited(target.Name, started, ended),
            Details = details,
            Changes = redacted,
            Error = error,
        };
        foreach (var change in redacted)
        {
            Emit(new WorkflowEvent { Kind = WorkflowEventKind.Change, Phase = path, Time = context.Time.GetUtcNow(), Host = target.Name, Change = change });
        }

        Emit(new WorkflowEvent
        {
            Kind = WorkflowEventKind.HostFinished,
            Phase = path,
            Time = context.Time.GetUtcNow(),
            Host = target.Name,
            Status = outcome.Status,
            Changed = outcome.Changed,
            Duration = outcome.Duration,
            Waited = outcome.Waited,
            Error = outcome.Error,
            Details = outcome.Details,
        });
        return new TargetOutcome(outcome);
    }

    private static string NameHost(string host, string message) =>
        message.StartsWith(host + ":", StringComparison.Ordinal) ? message : host + ": " + message;

    private void Emit(WorkflowEvent workflowEvent) => _observer.OnEvent(workflowEvent);

    private sealed record TargetOutcome(HostPhaseOutcome Outcome);

    /// <summary>
    /// Runs a plan's check in its turn. One that only reads sees the hosts as a check made ahead does (<see cref="ReadAhead.CheckedHosts"/>):
    /// its reads are recorded for the next run, which then reads them ahead even when this run's changes made the check run here (after
    /// a change, every read goes to the host; before one, its first poll may be answered as a check made ahead is).
    /// </summary>
    private static async Task<IReadOnlyList<string>> VerifyAsync(
        string path, PhaseTarget target, TargetPlan plan, ApplyContext apply, PhaseContext context, CancellationToken cancellationToken)
    {
        if (!plan.VerifyReadsOnly || context.Reads is not { } reads)
        {
            return await plan.Verify!(apply, cancellationToken).ConfigureAwait(false);
        }

        reads.BeginChecking(path, target.Name);
        try
        {
            return await plan.Verify!(new ApplyContext(context, reads.CheckedHosts(context.Hosts), target.Name), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            reads.EndPlanning();
        }
    }
}
