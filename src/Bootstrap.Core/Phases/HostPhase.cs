using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases;

/// <summary>The shape of a phase that acts on hosts over SSH: it names its hosts and plans one host at a time through a <see cref="HostPlanning"/>.</summary>
internal abstract class HostPhase(string name, string description) : ILeafPhase
{
    public string Name => name;

    public string Description => description;

    public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return PhaseTarget.Of(Hosts(config));
    }

    public Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(target);
        var host = target.RequiredHost;
        return PlanAsync(new HostPlanning(context, host, context.View(host.Name)), cancellationToken);
    }

    /// <summary>The hosts the phase acts on, in cluster-file order.</summary>
    protected abstract IEnumerable<HostSpec> Hosts(ClusterConfig config);

    protected abstract Task<TargetPlan> PlanAsync(HostPlanning host, CancellationToken cancellationToken);
}
