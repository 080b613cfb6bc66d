using System.Collections.Concurrent;
using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Preflight;

/// <summary>
/// Preflight's probe in each host's snapshot session (<see cref="ISnapshotRider"/>): the same commands as the phase's own session as
/// root, the host's two clock readings first and last in the session so that they frame all of it. The phase takes a host's probe
/// from here when it came within <see cref="ReadAhead.ReaderWait"/> and is at most <see cref="ReadAhead.MaxAge"/> old, and probes the
/// host itself otherwise: no session as root (sudo refused: the phase's own session says why and reads what the login user can), a
/// reading command that failed (the phase's own session reports it, naming the host), a session that failed or came late.
/// </summary>
internal sealed class PreflightRider(ClusterConfig config, SecretRedactor redactor, TimeProvider time) : ISnapshotRider
{
    private readonly ConcurrentDictionary<string, Boarded> _hosts = new(StringComparer.Ordinal);

    public string Name => "preflight's probe";

    public bool Boards(string host)
    {
        if (!config.Hosts.Any(h => h.Name == host))
        {
            return false;
        }

        _hosts.TryAdd(host, new Boarded());
        return true;
    }

    public void Add(string host, CommandBatch batch, Action reads)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var spec = config.Hosts.First(h => h.Name == host);
        _hosts[host].Commands = new PreflightProbeCommands(PreflightRequirements.For(spec, config).AllBinaries, privileged: true, batch, reads);
    }

    public void Arrived(string host, CommandBatchRun? run, DateTimeOffset sent, DateTimeOffset received)
    {
        if (!_hosts.TryGetValue(host, out var boarded))
        {
            return;
        }

        PreflightProbe? probe = null;
        if (run is not null && boarded.Commands is { } commands && commands.PrivilegeProblem(run) is null)
        {
            try
            {
                probe = commands.Read(run, null, sent, received, redactor);
            }
#pragma warning disable CA1031 // Any failure to read the probe from the session: the phase probes the host itself, which reports it as it always does.
            catch (Exception)
#pragma warning restore CA1031
            {
                // The probe stays null: the phase reads the host itself.
            }
        }

        boarded.Probe.TrySetResult(probe is null ? null : (probe, received));
    }

    /// <summary>The probe <paramref name="host"/>'s snapshot session carried, if it came in time and is fresh; null when the phase reads the host itself.</summary>
    public async Task<PreflightProbe?> TakeAsync(string host, CancellationToken cancellationToken)
    {
        if (!_hosts.TryGetValue(host, out var boarded))
        {
            return null;
        }

        try
        {
            var carried = await boarded.Probe.Task.WaitAsync(ReadAhead.ReaderWait, time, cancellationToken).ConfigureAwait(false);
            return carried is var (probe, received) && time.GetUtcNow() - received <= ReadAhead.MaxAge ? probe : null;
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private sealed class Boarded
    {
        public PreflightProbeCommands? Commands { get; set; }

        public TaskCompletionSource<(PreflightProbe Probe, DateTimeOffset Received)?> Probe { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
