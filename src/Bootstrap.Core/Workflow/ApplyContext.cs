using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;
using Serilog;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// What a change sees while it is applied in a real run: the writable connections, everything of the run's
/// <see cref="PhaseContext"/>, and where the waits of the target it is applied for are counted. The runner makes it
/// for one target of a phase, only when the run is not a dry run.
/// </summary>
public sealed class ApplyContext
{
    private readonly IReadOnlyDictionary<string, IRemoteHost> _hosts;

    internal ApplyContext(PhaseContext run, IReadOnlyDictionary<string, IRemoteHost> hosts, string target = PhaseTarget.WorkstationName)
    {
        if (run.DryRun)
        {
            throw new InvalidOperationException("a dry run applies nothing");
        }

        Run = run;
        _hosts = hosts;
        Waiting = run.Waiting(target);
    }

    /// <summary>The run this change belongs to (configuration, products such as the cluster material and the API).</summary>
    public PhaseContext Run { get; }

    public ClusterConfig Config => Run.Config;

    public SecretRedactor Redactor => Run.Redactor;

    public ILogger Logger => Run.Logger;

    public TimeProvider Time => Run.Time;

    /// <summary>Where a change or check that waits for a component counts the wait (<see cref="Waiting.Begin"/>): against the target it is applied for.</summary>
    public Waiting Waiting { get; }

    /// <summary>The connection to <paramref name="name"/>, when this run connected to it.</summary>
    public bool TryHost(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IRemoteHost? host)
    {
        host = _hosts.TryGetValue(name, out var known) ? known : Run.Host(name);
        return host is not null;
    }

    /// <summary>The connection to a host of the cluster file (or one outside it the plan reached); throws naming the host when it is not connected.</summary>
    public IRemoteHost Host(string name) =>
        TryHost(name, out var host) ? host : throw new InvalidOperationException($"{name}: not connected");
}
