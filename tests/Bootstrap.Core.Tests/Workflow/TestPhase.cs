using Bootstrap.Core.Config;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Tests.Workflow;

/// <summary>
/// A leaf whose plan per target is a delegate (default: one change "did NAME"). It records every target it planned
/// and every target a change of its default plan was applied to, in order.
/// </summary>
internal sealed class TestPhase(string name, Func<string, CancellationToken, Task<TargetPlan>>? plan = null, HostRole? role = null) : ILeafPhase
{
    public string Name { get; } = name;

    public string Description => "test phase " + Name;

    public List<string> Planned { get; } = [];

    public List<string> Ran { get; } = [];

    public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config) =>
        PhaseTarget.Of(role is { } r ? config.Hosts.Where(h => h.HasRole(r)) : config.Hosts);

    public Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
    {
        lock (Planned)
        {
            Planned.Add(target.Name);
        }

        return plan?.Invoke(target.Name, cancellationToken) ?? Task.FromResult(Changed(target.Name, "did " + Name));
    }

    /// <summary>A plan with one change that records the host in <see cref="Ran"/> when applied (and runs <paramref name="apply"/>).</summary>
    public TargetPlan Changed(string host, string what, Func<CancellationToken, Task>? apply = null, bool rolling = false) => new()
    {
        Rolling = rolling,
        Changes =
        [
            new Change
            {
                Host = host,
                Kind = ChangeKind.FileCreate,
                Target = what,
                Apply = async (_, ct) =>
                {
                    lock (Ran)
                    {
                        Ran.Add(host);
                    }

                    if (apply is not null)
                    {
                        await apply(ct);
                    }

                    return [];
                },
            },
        ],
    };
}
