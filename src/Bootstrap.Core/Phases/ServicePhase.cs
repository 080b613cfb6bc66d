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

        // A dependent stopped around a restart starts again once, on the files its own phase would give it later in the run.
        foreach (var dependent in services.Where(s => units.Any(u => u.Kind == ChangeKind.UnitRestart && u.Target == s.Unit)).SelectMany(s => s.Dependents).ToList())
        {
            if (DependentFiles(host, material, dependent) is not { } theirs)
            {
                continue;
            }

            var (changes, theirNotes) = await host.FilesOfAsync(material, theirs, dependent, own, services, cancellationToken).ConfigureAwait(false);
            if (changes.Count > 0)
            {
                files = [.. files, .. changes];
                notes = [.. notes, .. theirNotes, $"{dependent.Component} stops while {string.Join(" and ", services.Where(s => s.Dependents.Contains(dependent)).Select(s => s.Component))} restarts: its changed files are written in this turn, and it starts once, on them"];
                units = await ServiceControl.PlanAsync(host.View, services, files, WaitAfterStart, cancellationToken).ConfigureAwait(false);
            }
        }

        return new TargetPlan { Changes = [.. prepared, .. files, .. units], Notes = notes, Rolling = ServiceControl.Restarts(units) };
    }

    /// <summary>
    /// The own files of <paramref name="dependent"/>, a service this phase stops while one of its services restarts, when the
    /// dependent's own phase runs later in this run: they are written in this host's turn (with the shared files the dependent
    /// reads), so that it starts once, on them, and its phase finds nothing to restart. Null (the default): it starts again on
    /// the files it ran with, and its phase changes them in its own turn.
    /// </summary>
    protected virtual IReadOnlyList<DesiredFile>? DependentFiles(HostPlanning host, InstallMaterial material, ServiceSpec dependent) => null;

    /// <summary>The services the phase keeps running on <paramref name="host"/>.</summary>
    protected abstract IReadOnlyList<ServiceSpec> Services(InstallMaterial material, HostSpec host);

    /// <summary>The phase's own files on the host (units, configurations).</summary>
    protected abstract Task<IReadOnlyList<DesiredFile>> FilesAsync(HostPlanning host, InstallMaterial material, CancellationToken cancellationToken);

    /// <summary>Host changes before the files (users, directories); none by default.</summary>
    protected virtual Task<IReadOnlyList<Change>> PrepareAsync(HostPlanning host, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Change>>([]);
}
