using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases;

/// <summary>
/// A leaf of <c>init</c> that converges hosts to an <see cref="InstallStep"/>: prepare, write the files
/// that differ (by sha256), then keep its services enabled and running on those files. A second run
/// finds everything in place and reports the host unchanged. In a dry run it only reports what it would do.
/// </summary>
internal sealed class InstallPhase : IPhase
{
    private readonly InstallStep _step;
    private readonly InstallSession _session;

    // Restarts of running services go one host at a time, each waiting for health before the next.
    private readonly SemaphoreSlim _rolling = new(1, 1);

    public InstallPhase(InstallStep step, InstallSession session)
    {
        _step = step;
        _session = session;
    }

    public string Name => _step.Name;

    public string Description => _step.Description;

    public IReadOnlyList<IPhase> Children => [];

    public IReadOnlyList<HostSpec> Targets(ClusterConfig config) => _step.Targets(config);

    // Whether anything differs is only known by comparing every file; RunAsync does that and reports "unchanged".
    public Task<bool> NeedsRunAsync(PhaseContext context, IRemoteHost host, CancellationToken cancellationToken) => Task.FromResult(true);

    public async Task<PhaseResult> RunAsync(PhaseContext context, IRemoteHost host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(host);
        var spec = context.Config.Hosts.Single(h => h.Name == host.Name);
        var material = await _session.MaterialAsync(context, cancellationToken).ConfigureAwait(false);
        var details = new List<string>(_step.Notes(material, spec, context.DryRun));
        if (_step.Prepare is { } prepare)
        {
            details.AddRange(await prepare(context, host, cancellationToken).ConfigureAwait(false));
        }

        var files = await _step.Files(context, material, spec, host, cancellationToken).ConfigureAwait(false);
        var changes = await RemoteFiles.ApplyAsync(host, files, context.DryRun, context.Redactor, cancellationToken).ConfigureAwait(false);
        details.AddRange(changes.Select(c => c.Describe(context.DryRun)));

        var unitFilesChanged = changes.Any(c => c.Path.StartsWith(InstallFiles.SystemdDir + "/", StringComparison.Ordinal));
        foreach (var service in _step.Services(material, spec))
        {
            if (context.DryRun)
            {
                if (await ServiceControl.PlanAsync(host, service, changes, context.Redactor, cancellationToken).ConfigureAwait(false) is { } planned)
                {
                    details.Add(planned);
                }

                continue;
            }

            try
            {
                details.AddRange(await ServiceControl.EnsureAsync(host, service, unitFilesChanged, _step.WaitAfterStart, _rolling, context.Redactor, cancellationToken)
                    .ConfigureAwait(false));
            }
            catch (ServiceException e)
            {
                return PhaseResult.Failed(e.Message, details);
            }
        }

        return new PhaseResult { Changed = details.Count > 0, Details = details };
    }
}
