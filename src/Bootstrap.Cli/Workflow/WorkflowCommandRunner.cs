using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Pki;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;
using Serilog;

namespace Bootstrap.Cli.Workflow;

/// <summary>
/// Runs workflow phases from the command line: load and validate the cluster file, connect to every
/// host, run the selected phases, print a per-host report and map the outcome to an exit code.
/// Bad input never shows a stack trace; errors are one line naming the host.
/// </summary>
/// <param name="connector">How hosts are reached; SSH when null.</param>
/// <param name="files">Where the cluster file is read from; standard input is the process's when null.</param>
internal sealed class WorkflowCommandRunner(IHostConnector? connector = null, ClusterFileInput? files = null)
{
    public async Task<int> RunAsync(WorkflowInvocation invocation, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        using var logger = RunLogging.Create(error, invocation.LogFile, invocation.Verbose);
        var json = invocation.Json ? new JsonLinesObserver(output) : null;

        int Finish(int exitCode, string result, string? message)
        {
            json?.RunFinished(exitCode, result, message);
            return exitCode;
        }

        if ((files ?? ClusterFileInput.FromConsole()).Load(invocation.File, error) is not { } config)
        {
            return Finish(ExitCodes.BadInput, "bad-input", "the cluster file is not valid");
        }

        int Refuse(List<string> problems)
        {
            foreach (var problem in problems)
            {
                error.WriteLine(problem);
            }

            return Finish(ExitCodes.BadInput, "bad-input", string.Join("; ", problems));
        }

        // The command's own check of its arguments comes before its workflow is built, which may rely on them (replace-member
        // built its tree for an empty NAME, and that threw: an internal error instead of exit 2).
        if ((invocation.Check?.Invoke(config) ?? []).ToList() is { Count: > 0 } refused)
        {
            return Refuse(refused);
        }

        var tree = invocation.Workflow(invocation.Options);
        var selection = ChooseHosts(invocation, config, tree.Name, out var hostProblems);
        var problems = hostProblems.Concat(selection.Problems(tree, config)).ToList();
        if (problems.Count > 0)
        {
            return Refuse(problems);
        }

        StateRunLock? stateLock;
        try
        {
            if (invocation.RequiresStateFor is { } purpose && !new PkiStateDirectory(config.StateDirectory).Exists("pki/ca.crt"))
            {
                throw new PkiStateException(
                    $"the cluster state {config.StateDirectory} holds no cluster CA: {purpose} works on an installed cluster's state "
                    + "(fetch it with `bootstrap state pull -f FILE --from CONTROL-PLANE`, or install a new cluster with `bootstrap init`); nothing was changed");
            }

            stateLock = invocation.LocksState && !(invocation.Selection.Only is { } only && PhaseTree.Normalize(only) == "preflight")
                ? StateRunLock.Acquire(config.StateDirectory, invocation.CommandLine, create: !invocation.DryRun, TimeProvider.System)
                : null;
        }
        catch (PkiStateException e)
        {
            error.WriteLine(e.Message);
            return Finish(ExitCodes.Failure, "failed", e.Message);
        }

        using var heldLock = stateLock;
        var redactor = new SecretRedactor();
        using var interrupt = new InterruptSignal(cancellationToken);
        var token = interrupt.Token;
        var hostConnector = connector ?? new SshHostConnector(redactor, logger, invocation.AcceptNewHostKeys);

        // A run on chosen hosts connects only to the hosts its phases need (a node joins while an unrelated host is down).
        var needed = selection.Hosts.Count == 0 ? config.Hosts : WorkflowRunner.HostsOf(tree, selection, config);

        // One run that changes the cluster at a time, from any workstation: its lease, taken on the run's own connections as
        // they are made (a lease host the run does not need gets one of its own), held before the first phase, and given back
        // when the run ends, before those connections close.
        var leaseConnections = stateLock is not null && !invocation.DryRun ? new LeaseConnections(hostConnector, needed, ClusterRunLease.HostsOf(config)) : null;
        var lease = leaseConnections is not null
            ? RunLease.Start(config, leaseConnections, invocation.CommandLine, redactor, logger, token)
            : RunLease.None;
        await using var giveLeaseBack = lease.ConfigureAwait(false);
        ConnectedHosts hosts;
        IReadOnlyDictionary<string, string> unreachable = new Dictionary<string, string>();

        // The API client's first use overlaps the connections (an installed cluster's state only; stopped and awaited
        // when the command returns, so nothing outlives the run).
        // Each host read at once, from what the last run's plans read, started as each host connects and the run holds the
        // lease (never what another run is still changing), stopped before the connections close, below; and here when no run starts.
        var reads = ReadAhead.Load(config.StateDirectory, redactor, logger,
            phases: selection.Steps(tree, config).Where(s => s.Included).Select(s => s.Path).ToHashSet(StringComparer.Ordinal), notBefore: lease.Settled);
        await using var disposeReadsLast = reads.ConfigureAwait(false);
        await using var warmUp = new BackgroundWork(ct => ApiSource.WarmUpAsync(config.StateDirectory, TimeSpan.FromSeconds(3), logger, ct), token).ConfigureAwait(false);
        try
        {
            Func<HostSpec, bool>? keepOpen = leaseConnections is null ? null : leaseConnections.Shares;
            void Connected(IRemoteHost host)
            {
                leaseConnections?.Connected(host);
                reads.Start(host);
            }

            logger.Information("[{Phase}] connecting to {Count} hosts", "connect", needed.Count);
            if (invocation.ToleratesUnreachableHosts)
            {
                (hosts, unreachable) = await ConnectedHosts.ConnectAvailableAsync(hostConnector, needed, config.SshConcurrency, redactor, logger, token, Connected, keepOpen)
                    .ConfigureAwait(false);
                foreach (var (host, why) in unreachable)
                {
                    logger.Warning("[{Phase}] {Host}: unreachable ({Error}); the cluster side is still done, nothing on the host is changed", "connect", host, why);
                }
            }
            else
            {
                hosts = await ConnectedHosts.ConnectAsync(hostConnector, needed, config.SshConcurrency, logger, token, Connected, keepOpen).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            logger.Warning("[{Phase}] cancelled while connecting; no phase started and nothing was changed", "connect");
            return Finish(ExitCodes.Cancelled, "cancelled", "cancelled while connecting");
        }
        catch (HostFanOutException e)
        {
            // Only the redacted messages: exception objects (and their inner SSH.NET exceptions) stay out of every log.
            foreach (var (host, failure) in e.FailedHosts.Zip(FlattenErrors(e)))
            {
                logger.Error("[{Phase}] {Host}: {Error}", "connect", host, ConsoleWorkflowObserver.WithoutHost(host, redactor.Redact(failure.Message)));
            }

            logger.Error("[{Phase}] cannot reach {Hosts}; no phase ran and nothing was changed", "connect", string.Join(", ", e.FailedHosts));
            return Finish(ExitCodes.Failure, "failed", redactor.Redact(e.Message));
        }
        finally
        {
            // Whatever the run could not connect, the lease does not wait for.
            leaseConnections?.ConnectingEnded();
        }

        await using (hosts.ConfigureAwait(false))
        {
            // The lease rides on these connections: it is given back before they close.
            await using var giveLeaseBackFirst = lease.ConfigureAwait(false);
            try
            {
                await lease.HeldAsync().ConfigureAwait(false);
            }
            catch (ClusterRunLeaseException e)
            {
                logger.Error("[{Phase}] {Error}", "lease", e.Message);
                return Finish(ExitCodes.Failure, "failed", e.Message);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                logger.Warning("[{Phase}] cancelled while taking the cluster's run lease; no phase started and nothing was changed", "lease");
                return Finish(ExitCodes.Cancelled, "cancelled", "cancelled while taking the run lease");
            }

            // The snapshots end before the connections they read through close.
            await using var disposeReads = reads.ConfigureAwait(false);

            // The connector also reaches hosts outside the file that a phase needs (the host of a removed etcd member).
            var context = new PhaseContext
            {
                Config = config, Hosts = hosts.ByName, Redactor = redactor, Logger = logger, DryRun = invocation.DryRun, Verify = invocation.Verify, Connector = hostConnector,
                Reads = reads,
            };
            selection = selection with { Unreachable = unreachable.Keys.ToHashSet(StringComparer.Ordinal) };
            await using var disposeContext = context.ConfigureAwait(false);
            IWorkflowObserver observer = json is null
                ? new ConsoleWorkflowObserver(logger)
                : new FanOutObserver([new ConsoleWorkflowObserver(logger), json]);
            var result = await new WorkflowRunner(observer).RunAsync(tree, selection, context, token).ConfigureAwait(false);
            lease.StartGivingBack();
            if (!invocation.DryRun && heldLock is not null)
            {
                // What this run read, for the next one to read ahead (a dry run, like any, reads ahead but records nothing).
                reads.Save(config.StateDirectory, [.. config.Hosts.Select(h => h.Name)]);
            }

            if (!invocation.Json)
            {
                WorkflowReport.Write(result, output, invocation.DryRun, invocation.ApplyCommand);
            }

            if (result.Succeeded && unreachable.Count > 0)
            {
                // The cluster side was done for them; the hosts themselves were not touched.
                var names = string.Join(", ", unreachable.Keys.Order(StringComparer.Ordinal));
                logger.Error("[{Phase}] {Hosts} could not be reached: the cluster side is done for them, nothing on them was changed; run again when they answer, or wipe them",
                    tree.Name, names);
                return Finish(ExitCodes.Failure, "failed", $"{names}: unreachable; nothing on them was changed");
            }

            return Outcome(result, logger, Finish);
        }
    }

    /// <summary>
    /// The selection with its hosts resolved: for a command with host choices, the named hosts, which must be among
    /// the choices (names the file does not have are left to <see cref="WorkflowSelection.Problems"/>), or all choices.
    /// </summary>
    internal static WorkflowSelection ChooseHosts(WorkflowInvocation invocation, ClusterConfig config, string command, out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(config);
        problems = [];
        var selection = invocation.Selection;
        if (invocation.HostChoices is not { } choose)
        {
            return selection;
        }

        var choices = choose(config).Select(h => h.Name).ToList();
        if (selection.Hosts.Count == 0)
        {
            problems = choices.Count == 0 ? [$"{config.Name} has no host that {command} runs on"] : [];
            return selection with { Hosts = choices };
        }

        var known = config.Hosts.Select(h => h.Name).ToHashSet(StringComparer.Ordinal);
        problems = selection.Hosts
            .Where(name => known.Contains(name) && !choices.Contains(name, StringComparer.Ordinal))
            .Select(name => $"host \"{name}\" is not one that {command} runs on; the hosts of {config.Name} that {command} runs on are: {string.Join(", ", choices)}")
            .ToList();
        return selection;
    }

    private static int Outcome(WorkflowResult result, ILogger logger, Func<int, string, string?, int> finish)
    {
        if (result.Succeeded)
        {
            return finish(ExitCodes.Success, "succeeded", null);
        }

        if (result.Cancelled)
        {
            foreach (var phase in result.Phases.Where(p => p.State != PhaseState.Completed))
            {
                logger.Warning("[{Phase}] {State}{Hosts}", phase.Path, ConsoleWorkflowObserver.Describe(phase.State),
                    phase.State == PhaseState.Interrupted ? ": " + string.Join(", ", phase.Hosts.Select(h => $"{h.Host} {ConsoleWorkflowObserver.Describe(h.Status)}")) : string.Empty);
            }

            logger.Warning("[{Phase}] cancelled; every phase is safe to run again", "run");
            return finish(ExitCodes.Cancelled, "cancelled", "cancelled by the user");
        }

        var failed = result.FirstFailure!;
        var error = string.Join("; ", failed.Hosts.Where(h => h.Error is not null).Select(h => h.Error));
        // Preflight checks that ran and found errors are their own exit code; a host that broke while checking is a plain failure.
        if (failed.Path == "preflight" && failed.Hosts.All(h => h.Status != HostPhaseStatus.Error))
        {
            logger.Error("[{Phase}] failed on {Hosts}; fix the errors or skip them with --ignore-preflight-errors=NAME,… (nothing was changed)",
                failed.Path, string.Join(", ", failed.Hosts.Where(h => h.Status == HostPhaseStatus.Failed).Select(h => h.Host)));
            return finish(ExitCodes.PreflightFailed, "preflight-failed", error);
        }

        return finish(ExitCodes.Failure, "failed", error);
    }

    private static IEnumerable<Exception> FlattenErrors(HostFanOutException e) =>
        e.InnerException is AggregateException all ? all.InnerExceptions : [e.InnerException!];

    /// <summary>Work started in the background and, when its scope ends, cancelled if still running and waited for.</summary>
    private sealed class BackgroundWork : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop;
        private readonly Task _work;

        public BackgroundWork(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
        {
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var token = _stop.Token;
            _work = Task.Run(() => work(token), CancellationToken.None);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await _work.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped as asked.
            }

            _stop.Dispose();
        }
    }
}
