using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases;

/// <summary>A phase that changes nothing: in a real run it waits until a service answers its health check on each target host.</summary>
internal abstract class HealthCheckPhase(string name, string description) : HostPhase(name, description)
{
    protected override Task<TargetPlan> PlanAsync(HostPlanning host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        var service = Service(host.Config);
        return Task.FromResult(new TargetPlan
        {
            VerifyDescription = $"would wait for {service.Component} to be healthy",
            VerifyReadsOnly = true,
            Verify = async (apply, ct) =>
            {
                await ServiceControl.WaitHealthyAsync(apply.Host(host.Host.Name), service, apply.Redactor, apply.Waiting, ct).ConfigureAwait(false);
                return [$"{service.Component} is healthy"];
            },
        });
    }

    /// <summary>The service whose health is waited for.</summary>
    protected abstract ServiceSpec Service(ClusterConfig config);
}
