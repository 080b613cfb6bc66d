using Bootstrap.Core.Config;
using Bootstrap.Core.Pki;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;
using Serilog;

namespace Bootstrap.Cli.Workflow;

/// <summary>
/// The cluster's run lease (<see cref="ClusterRunLease"/>) of a command that changes hosts, taken while the command connects:
/// <see cref="HeldAsync"/> before the first change, given back when disposed (also after a failure or an interruption).
/// </summary>
internal sealed class RunLease : IAsyncDisposable
{
    private readonly Task<ClusterRunLease>? _taking;
    private Task? _givingBack;

    private RunLease(Task<ClusterRunLease>? taking)
    {
        _taking = taking;
        Settled = taking is null ? Task.FromResult(true) : SettleAsync(taking);
    }

    /// <summary>True once the lease is held (at once without one), false once it could not be taken; never fails.</summary>
    public Task<bool> Settled { get; }

    /// <summary>No lease: a run that changes nothing (a dry run, preflight).</summary>
    public static RunLease None => new(null);

    /// <summary>Starts taking the lease on the control planes and etcd members of <paramref name="config"/>.</summary>
    public static RunLease Start(ClusterConfig config, IHostConnector connector, string commandLine, SecretRedactor redactor, ILogger logger, CancellationToken cancellationToken) =>
        new(ClusterRunLease.AcquireAsync(connector, ClusterRunLease.HostsOf(config), StateRunLock.Describe(commandLine, TimeProvider.System), redactor, logger, cancellationToken));

    /// <summary>Waits until the lease is held.</summary>
    /// <exception cref="ClusterRunLeaseException">Another run holds it, or a host could not take it.</exception>
    public async Task HeldAsync()
    {
        if (_taking is not null)
        {
            await _taking.ConfigureAwait(false);
        }
    }

    /// <summary>Starts giving the lease back (the run changes nothing more), while the caller closes its connections.</summary>
    public void StartGivingBack() => _givingBack ??= GiveBackAsync();

    public async ValueTask DisposeAsync() => await (_givingBack ??= GiveBackAsync()).ConfigureAwait(false);

    private static async Task<bool> SettleAsync(Task<ClusterRunLease> taking)
    {
        // The failure itself is HeldAsync's to report.
        await ((Task)taking).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return taking.IsCompletedSuccessfully;
    }

    private async Task GiveBackAsync()
    {
        if (_taking is null)
        {
            return;
        }

        ClusterRunLease lease;
        try
        {
            lease = await _taking.ConfigureAwait(false);
        }
        catch (Exception e) when (e is ClusterRunLeaseException or OperationCanceledException)
        {
            // Not taken (said by HeldAsync's caller, or the run was interrupted): nothing to give back.
            return;
        }

        await lease.DisposeAsync().ConfigureAwait(false);
    }
}
