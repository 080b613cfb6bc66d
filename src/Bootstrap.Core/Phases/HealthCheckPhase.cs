using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases;

/// <summary>A phase that changes nothing: in a real run it waits until a service answers its health check on each target host.</summary>
internal abstract class HealthCheckPhase : ILeafPhase
{
    public abstract string Name { get; }

    public abstract string Description { get; }

    public abstract IReadOnlyList<PhaseTarget> Targets(ClusterConfig config);

    public Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(target);
        var service = Service(context.Config, target.RequiredHost);
        return Task.FromResult(new TargetPlan
        {
            VerifyDescription = $"would wait for {service.Component} to be healthy",
            Verify = async (apply, ct) =>
            {
                await ServiceControl.WaitHealthyAsync(apply.Host(target.Name), service, apply.Redactor, apply.Time, ct).ConfigureAwait(false);
                return [$"{service.Component} is healthy"];
            },
        });
    }

    protected abstract ServiceSpec Service(ClusterConfig config, HostSpec host);
}
