using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Workflow;

/// <summary>A leaf phase whose behaviour per host is a delegate; it records every host it ran on, in order.</summary>
internal sealed class TestPhase(
    string name,
    Func<IRemoteHost, CancellationToken, Task<PhaseResult>>? run = null,
    Func<IRemoteHost, bool>? needsRun = null,
    HostRole? role = null) : IPhase
{
    public string Name { get; } = name;

    public string Description => "test phase " + Name;

    public IReadOnlyList<IPhase> Children => [];

    public List<string> Ran { get; } = [];

    public IReadOnlyList<HostSpec> Targets(ClusterConfig config) =>
        role is { } r ? config.Hosts.Where(h => h.HasRole(r)).ToList() : config.Hosts;

    public Task<bool> NeedsRunAsync(PhaseContext context, IRemoteHost host, CancellationToken cancellationToken) =>
        Task.FromResult(needsRun?.Invoke(host) ?? true);

    public Task<PhaseResult> RunAsync(PhaseContext context, IRemoteHost host, CancellationToken cancellationToken)
    {
        lock (Ran)
        {
            Ran.Add(host.Name);
        }

        return run?.Invoke(host, cancellationToken) ?? Task.FromResult(PhaseResult.ChangedWith("did " + Name));
    }
}
