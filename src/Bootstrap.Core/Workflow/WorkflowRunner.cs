using Bootstrap.Core.Config;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// Runs the leaves of a <see cref="PhaseTree"/> in order. Each leaf runs on its target hosts in
/// parallel (at most <see cref="ClusterConfig.SshConcurrency"/> at once); a failure on one host never
/// hides the others, but once a phase failed no later phase starts. Cancelling stops the run and
/// the result says which phase was interrupted and which never started.
/// </summary>
public sealed class WorkflowRunner
{
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

        var outcomes = new List<PhaseOutcome>();
        var stopped = false;
        foreach (var (path, phase) in tree.Walk().Where(p => p.Phase.Children.Count == 0))
        {
            PhaseOutcome outcome;
            if (selection.Only is { } only && !InScope(path, PhaseTree.Normalize(only)))
            {
                continue;
            }

            if (!selection.Includes(path))
            {
                outcome = new PhaseOutcome { Path = path, State = PhaseState.Skipped };
            }
            else if (stopped || cancellationToken.IsCancellationRequested)
            {
                outcome = new PhaseOutcome { Path = path, State = PhaseState.NotStarted };
            }
            else
            {
                outcome = await RunLeafAsync(path, phase, selection.TargetsOf(phase, context.Config), context, cancellationToken).ConfigureAwait(false);
                stopped = outcome.State != PhaseState.Completed;
                outcomes.Add(outcome);
                continue;
            }

            Emit(new WorkflowEvent { Kind = WorkflowEventKind.PhaseFinished, Phase = path, Time = context.Time.GetUtcNow(), State = outcome.State });
            outcomes.Add(outcome);
        }

        return new WorkflowResult { Phases = outcomes };
    }

    private static bool InScope(string path, string only) =>
        string.Equals(path, only, StringComparison.Ordinal) || path.StartsWith(only + "/", StringComparison.Ordinal);

    /// <summary>The hosts the leaves <paramref name="selection"/> runs would run on, in file order: the hosts a run needs connected.</summary>
    public static IReadOnlyList<HostSpec> HostsOf(PhaseTree tree, WorkflowSelection selection, ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(config);
        var names = tree.Walk()
            .Where(p => p.Phase.Children.Count == 0 && selection.Includes(p.Path))
            .SelectMany(p => selection.TargetsOf(p.Phase, config))
            .Select(h => h.Name)
            .ToHashSet(StringComparer.Ordinal);
        return config.Hosts.Where(h => names.Contains(h.Name)).ToList();
    }

    private async Task<PhaseOutcome> RunLeafAsync(string path, IPhase phase, IReadOnlyList<HostSpec> targets, PhaseContext context, CancellationToken cancellationToken)
    {
        var started = context.Time.GetTimestamp();
        Emit(new WorkflowEvent
        {
            Kind = WorkflowEventKind.PhaseStarted,
            Phase = path,
            Time = context.Time.GetUtcNow(),
            Hosts = targets.Select(h => h.Name).ToList(),
        });

        using var gate = new SemaphoreSlim(Math.Max(1, context.Config.SshConcurrency));
        var hosts = await Task.WhenAll(targets.Select(target => RunHostAsync(path, phase, target, context, gate, cancellationToken))).ConfigureAwait(false);

        var state = hosts.Any(h => h.Status == HostPhaseStatus.Cancelled) ? PhaseState.Interrupted
            : hosts.Any(h => !h.Succeeded) ? PhaseState.Failed
            : PhaseState.Completed;
        var outcome = new PhaseOutcome { Path = path, State = state, Hosts = hosts, Duration = context.Time.GetElapsedTime(started) };
        Emit(new WorkflowEvent
        {
            Kind = WorkflowEventKind.PhaseFinished,
            Phase = path,
            Time = context.Time.GetUtcNow(),
            State = state,
            Changed = hosts.Any(h => h.Changed),
            Duration = outcome.Duration,
            Error = state == PhaseState.Failed ? string.Join("; ", hosts.Where(h => h.Error is not null).Select(h => h.Error)) : null,
        });
        return outcome;
    }

    private async Task<HostPhaseOutcome> RunHostAsync(
        string path, IPhase phase, HostSpec target, PhaseContext context, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        var started = context.Time.GetTimestamp();
        HostPhaseOutcome outcome;
        var entered = false;
        try
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            entered = true;
            started = context.Time.GetTimestamp();
            var host = context.Host(target.Name);
            if (!await phase.NeedsRunAsync(context, host, cancellationToken).ConfigureAwait(false))
            {
                outcome = Outcome(target, HostPhaseStatus.Unchanged, context, started) with { Details = ["already up to date"] };
            }
            else
            {
                var result = await phase.RunAsync(context, host, cancellationToken).ConfigureAwait(false);
                var status = result.Failure is not null ? HostPhaseStatus.Failed
                    : result.Changed ? HostPhaseStatus.Changed
                    : HostPhaseStatus.Unchanged;
                outcome = Outcome(target, status, context, started) with
                {
                    Details = result.Details.Select(context.Redactor.Redact).ToList(),
                    Error = result.Failure is null ? null : NameHost(target.Name, context.Redactor.Redact(result.Failure)),
                };
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = Outcome(target, HostPhaseStatus.Cancelled, context, started) with
            {
                Error = entered ? $"{target.Name}: cancelled while {path} was running" : $"{target.Name}: cancelled before {path} started",
            };
        }
#pragma warning disable CA1031 // A host's error is recorded against it; it must not hide the other hosts' outcomes.
        catch (Exception e)
#pragma warning restore CA1031
        {
            outcome = Outcome(target, HostPhaseStatus.Error, context, started) with
            {
                Error = NameHost(target.Name, context.Redactor.Redact(e.Message)),
            };
        }
        finally
        {
            if (entered)
            {
                gate.Release();
            }
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
            Error = outcome.Error,
            Details = outcome.Details,
        });
        return outcome;
    }

    private static HostPhaseOutcome Outcome(HostSpec target, HostPhaseStatus status, PhaseContext context, long started) =>
        new() { Host = target.Name, Status = status, Duration = context.Time.GetElapsedTime(started) };

    private static string NameHost(string host, string message) =>
        message.StartsWith(host + ":", StringComparison.Ordinal) ? message : host + ": " + message;

    private void Emit(WorkflowEvent workflowEvent) => _observer.OnEvent(workflowEvent);
}
