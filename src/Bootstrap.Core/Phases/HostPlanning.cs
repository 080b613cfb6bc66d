using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases;

/// <summary>One host as a phase plans it: the run, the host's spec and its read-only view.</summary>
internal sealed record HostPlanning(PhaseContext Context, HostSpec Host, HostView View)
{
    public ClusterConfig Config => Context.Config;

    /// <summary>Where this host's waits while it is planned are counted.</summary>
    public Waiting Waiting => Context.Waiting(Host.Name);

    public Task<InstallMaterial> MaterialAsync(CancellationToken cancellationToken) => Context.Material.GetAsync(Context, cancellationToken);

    /// <summary>
    /// Plans files every service of the host may read (certificates, kubeconfigs, binaries): a changed one that a running
    /// service reads is left, with a note, to that service's phase, which writes it in the host's turn.
    /// </summary>
    public async Task<TargetPlan> SharedFilesAsync(IReadOnlyList<DesiredFile> files, CancellationToken cancellationToken)
    {
        var readers = await RunningReaders.OfAsync(View, Config, Host, cancellationToken).ConfigureAwait(false);
        var (changes, notes) = await FileConvergence.PlanAsync(View, files, cancellationToken, readers).ConfigureAwait(false);
        return new TargetPlan { Changes = changes, Notes = notes };
    }

    /// <summary>Plans a phase's own files together with the shared files its services read (which it writes itself, in the host's turn).</summary>
    public async Task<(IReadOnlyList<Change> Changes, IReadOnlyList<string> Notes)> OwnFilesAsync(
        InstallMaterial material, IReadOnlyList<DesiredFile> own, IReadOnlyList<ServiceSpec> services, CancellationToken cancellationToken) =>
        await FileConvergence.PlanAsync(View, Read(material, own, services), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Plans the files another phase would write for <paramref name="service"/> (its <paramref name="own"/> files and the shared
    /// ones it reads), less those this phase already plans for its <paramref name="services"/>: for a service this phase stops
    /// and starts again in the host's turn, so that it starts once, on the files it is to run with.
    /// </summary>
    public async Task<(IReadOnlyList<Change> Changes, IReadOnlyList<string> Notes)> FilesOfAsync(
        InstallMaterial material, IReadOnlyList<DesiredFile> own, ServiceSpec service, IReadOnlyList<DesiredFile> planned, IReadOnlyList<ServiceSpec> services,
        CancellationToken cancellationToken)
    {
        var taken = Read(material, planned, services).Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var files = Read(material, own, [service]).Where(f => !taken.Contains(f.Path)).ToList();
        return files.Count == 0 ? ([], []) : await FileConvergence.PlanAsync(View, files, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><paramref name="own"/> files, then the shared files <paramref name="services"/> read that are not among them.</summary>
    private IReadOnlyList<DesiredFile> Read(InstallMaterial material, IReadOnlyList<DesiredFile> own, IReadOnlyList<ServiceSpec> services) =>
        [.. own, .. services.SelectMany(s => InstallFiles.ReadBy(material, Host, s)).Where(f => own.All(o => o.Path != f.Path)).DistinctBy(f => f.Path)];
}
