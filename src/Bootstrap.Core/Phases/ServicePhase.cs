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
internal abstract class ServicePhase(string name, string description) : HostPhase(name, description)
{
    /// <summary>After starting a stopped service, wait for it to be healthy (false for etcd members of a new cluster, which need each other first).</summary>
    protected virtual bool WaitAfterStart => true;

    protected override async Task<TargetPlan> PlanAsync(HostPlanning host, CancellationToken cancellationToken)
    {
        var material = await host.MaterialAsync(cancellationToken).ConfigureAwait(false);
        var services = Services(material, host.Host);
        var prepared = await PrepareAsync(host, cancellationToken).ConfigureAwait(false);
        var own = await FilesAsync(host, material, cancellationToken).ConfigureAwait(false);
        var (files, notes) = await host.OwnFilesAsync(material, own, services, cancellationToken).ConfigureAwait(false);
        var units = await ServiceControl.PlanAsync(host.View, services, files, WaitAfterStart, cancellationToken).ConfigureAwait(false);
        return new TargetPlan { Changes = [.. prepared, .. files, .. units], Notes = notes, Rolling = ServiceControl.Restarts(units) };
    }

    /// <summary>The services the phase keeps running on <paramref name="host"/>.</summary>
    protected abstract IReadOnlyList<ServiceSpec> Services(InstallMaterial material, HostSpec host);

    /// <summary>The phase's own files on the host (units, configurations).</summary>
    protected abstract Task<IReadOnlyList<DesiredFile>> FilesAsync(HostPlanning host, InstallMaterial material, CancellationToken cancellationToken);

    /// <summary>Host changes before the files (users, directories); none by default.</summary>
    protected virtual Task<IReadOnlyList<Change>> PrepareAsync(HostPlanning host, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Change>>([]);
}
