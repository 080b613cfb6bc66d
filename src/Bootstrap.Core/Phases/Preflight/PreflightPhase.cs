using System.Collections.Concurrent;
using Bootstrap.Core.Config;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Preflight;

/// <summary>
/// <c>preflight</c>: kubeadm-like checks on every host for its roles (privileges, CPU, memory, free
/// ports, swap, binaries, kernel modules and sysctls, clock skew, unique host names, MACs and
/// product_uuid). Read-only: it never changes a host. A host with an error (not ignored) fails the phase.
/// </summary>
internal sealed class PreflightPhase(PreflightOptions options) : HostPhase("preflight", "Run the pre-flight checks on every host (read-only)")
{
    /// <summary>Clock skew above this is warned about.</summary>
    public static readonly TimeSpan DefaultMaxClockSkew = TimeSpan.FromSeconds(2);

    private readonly IgnoredPreflightErrors _ignored = (options ?? throw new ArgumentNullException(nameof(options))).IgnorePreflightErrors;
    private readonly TimeSpan _maxClockSkew = options.MaxClockSkew;

    // Uniqueness compares every host with every other, so each host's probe is read once and shared.
    private readonly ConcurrentDictionary<string, Lazy<Task<PreflightProbe>>> _probes = new(StringComparer.Ordinal);

    // A host's run may start other hosts' probes (for uniqueness); this keeps probing within spec.ssh.concurrency.
    private SemaphoreSlim? _probeGate;

    private int _ignoredNamesChecked;

    protected override IEnumerable<HostSpec> Hosts(ClusterConfig config) => config.Hosts;

    protected override async Task<TargetPlan> PlanAsync(HostPlanning target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var (context, spec) = (target.Context, target.Host);
        WarnOfUnknownIgnoredNames(context);
        // This host's probe first in line, then every other host's, all started now (each waits for the gate): the comparison
        // waits for the slowest of them, not for their sum, which it did when each was started only once the last had ended.
        var own = ProbeAsync(context, spec, cancellationToken);
        var others = context.Config.Hosts.Select(other => (Host: other, Probe: ProbeAsync(context, other, cancellationToken))).ToList();
        var probe = await own.ConfigureAwait(false);

        // The other hosts' probes, for uniqueness; a host whose probe failed reports that failure itself.
        var cluster = new List<PreflightProbe>();
        foreach (var (other, pending) in others)
        {
            try
            {
                cluster.Add(await pending.ConfigureAwait(false));
            }
            catch (Exception e) when (e is not OperationCanceledException && other.Name != spec.Name)
            {
                context.Logger.Debug("[{Phase}] {Host}: not compared with {Other}, whose checks failed to run", Name, spec.Name, other.Name);
            }
        }

        var results = _ignored.Apply(PreflightChecks.Evaluate(spec, PreflightRequirements.For(spec, context.Config), probe, cluster, _maxClockSkew));
        foreach (var result in results.Where(r => r.Severity != CheckSeverity.Ok))
        {
            if (result.Severity == CheckSeverity.Error)
            {
                context.Logger.Error("[{Phase}] {Host}: {Check}", Name, spec.Name, result.ToString());
            }
            else
            {
                context.Logger.Warning("[{Phase}] {Host}: {Check}", Name, spec.Name, result.ToString());
            }
        }

        var details = results.Select(r => r.ToString()).ToList();
        var errors = results.Where(r => r.Severity == CheckSeverity.Error).Select(r => r.Name).ToList();
        return errors.Count == 0
            ? TargetPlan.Nothing([.. details])
            : TargetPlan.Refuse($"{errors.Count} preflight check(s) failed: {string.Join(", ", errors)}", [.. details]);
    }

    /// <summary>
    /// Once per run: the --ignore-preflight-errors names that no check on any host of the file has (a misspelt name, or one of
    /// kubeadm's checks that Bootstrap does not make) ignore nothing. kubeadm accepts them too, so they are a warning, not a
    /// refusal: a script written for kubeadm keeps working, and a misspelt name is named before its check fails.
    /// </summary>
    private void WarnOfUnknownIgnoredNames(PhaseContext context)
    {
        if (_ignored.All || _ignored.Names.Count == 0 || Interlocked.Exchange(ref _ignoredNamesChecked, 1) == 1)
        {
            return;
        }

        var known = context.Config.Hosts.SelectMany(host => PreflightChecks.Names(PreflightRequirements.For(host, context.Config)))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unknown = _ignored.Names.Where(name => !known.Contains(name)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            context.Logger.Warning(
                "[{Phase}] --ignore-preflight-errors: no check here is named {Unknown:l}, so it ignores nothing; the checks are {Known:l}",
                Name, string.Join(", ", unknown), string.Join(", ", known.Order(StringComparer.Ordinal)));
        }
    }

    private Task<PreflightProbe> ProbeAsync(PhaseContext context, HostSpec spec, CancellationToken cancellationToken) =>
        _probes.GetOrAdd(spec.Name, _ => new Lazy<Task<PreflightProbe>>(() => GatedProbeAsync(context, spec, cancellationToken))).Value;

    private async Task<PreflightProbe> GatedProbeAsync(PhaseContext context, HostSpec spec, CancellationToken cancellationToken)
    {
        var gate = LazyInitializer.EnsureInitialized(ref _probeGate, () => new SemaphoreSlim(Math.Max(1, context.Config.SshConcurrency)));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await PreflightProbeCollector.GatherAsync(
                context.View(spec.Name),
                PreflightRequirements.For(spec, context.Config).AllBinaries,
                context.Redactor,
                context.Time,
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }
}
