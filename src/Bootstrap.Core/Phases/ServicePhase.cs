using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases;

/// <summary>
/// The shape of a phase that keeps services running on their files: prepare the host, write the files that
/// differ (its own, and the shared ones its services read), then start what is stopped and restart what runs on
/// changed inputs. A host whose plan restarts a running service gets its whole change in its turn of the roll.
/// Subclasses say which hosts, which files and which services.
/// </summary>
internal abstract class ServicePhase : ILeafPhase
{
    public abstract string Name { get; }

    public abstract string Description { get; }

    /// <summary>After starting a stopped service, wait for it to be healthy (false for etcd members of a new cluster, which need each other first).</summary>
    protected virtual bool WaitAfterStart => true;

    public abstract IReadOnlyList<PhaseTarget> Targets(ClusterConfig config);

    public virtual async Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(target);
        var host = target.RequiredHost;
        var view = context.View(host.Name);
        var material = await context.Material.GetAsync(context, cancellationToken).ConfigureAwait(false);
        var services = Services(material, host);
        var prepared = await PrepareAsync(context, view, host, cancellationToken).ConfigureAwait(false);
        var own = await FilesAsync(context, material, view, host, cancellationToken).ConfigureAwait(false);
        var shared = services.SelectMany(s => InstallFiles.ReadBy(material, host, s)).Where(f => own.All(o => o.Path != f.Path));
        var (files, notes) = await FileConvergence.PlanAsync(view, [.. own, .. shared.DistinctBy(f => f.Path)], cancellationToken).ConfigureAwait(false);
        var units = await ServiceControl.PlanAsync(view, services, files, WaitAfterStart, cancellationToken).ConfigureAwait(false);
        return new TargetPlan { Changes = [.. prepared, .. files, .. units], Notes = notes, Rolling = ServiceControl.Restarts(units) };
    }

    /// <summary>The services the phase keeps running on <paramref name="host"/>.</summary>
    protected abstract IReadOnlyList<ServiceSpec> Services(InstallMaterial material, HostSpec host);

    /// <summary>The phase's own files on <paramref name="host"/> (units, configurations).</summary>
    protected abstract Task<IReadOnlyList<DesiredFile>> FilesAsync(PhaseContext context, InstallMaterial material, HostView view, HostSpec host, CancellationToken cancellationToken);

    /// <summary>Host changes before the files (users, directories); none by default.</summary>
    protected virtual Task<IReadOnlyList<Change>> PrepareAsync(PhaseContext context, HostView view, HostSpec host, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Change>>([]);
}
