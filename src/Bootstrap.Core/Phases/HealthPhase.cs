using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases;

/// <summary>A leaf that changes nothing: it waits until a service answers its health check on each target host.</summary>
internal sealed class HealthPhase : IPhase
{
    private readonly Func<ClusterConfig, IReadOnlyList<HostSpec>> _targets;
    private readonly Func<HostSpec, ServiceSpec> _service;

    public HealthPhase(string name, string description, Func<ClusterConfig, IReadOnlyList<HostSpec>> targets, Func<HostSpec, ServiceSpec> service)
    {
        Name = name;
        Description = description;
        _targets = targets;
        _service = service;
    }

    public string Name { get; }

    public string Description { get; }

    public IReadOnlyList<IPhase> Children => [];

    public IReadOnlyList<HostSpec> Targets(ClusterConfig config) => _targets(config);

    public Task<bool> NeedsRunAsync(PhaseContext context, IRemoteHost host, CancellationToken cancellationToken) => Task.FromResult(true);

    public async Task<PhaseResult> RunAsync(PhaseContext context, IRemoteHost host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(host);
        var service = _service(context.Config.Hosts.Single(h => h.Name == host.Name));
        if (context.DryRun)
        {
            return PhaseResult.Unchanged($"would wait for {service.Component} to be healthy");
        }

        try
        {
            await ServiceControl.WaitHealthyAsync(host, service, context.Redactor, cancellationToken).ConfigureAwait(false);
            return PhaseResult.Unchanged($"{service.Component} is healthy");
        }
        catch (ServiceException e)
        {
            return PhaseResult.Failed(e.Message, []);
        }
    }
}
