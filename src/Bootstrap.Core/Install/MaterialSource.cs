using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Install;

/// <summary>
/// The run's <see cref="InstallMaterial"/>: what <c>certs</c> produced (<see cref="Produce"/>), or, when that phase
/// does not run, the cluster state read as it is on first use. Never generates anything itself.
/// </summary>
internal sealed class MaterialSource
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(10) };

    private readonly Lock _gate = new();
    private Task<InstallMaterial>? _material;

    /// <summary>Publishes the material a phase made (in a dry run, as it would be after that phase).</summary>
    public void Produce(InstallMaterial material)
    {
        lock (_gate)
        {
            _material = Task.FromResult(material);
        }
    }

    /// <summary>Loads the state for a phase that completes it itself (<c>certs</c>), with its pending files over it.</summary>
    public static Task<InstallMaterial> LoadAsync(PhaseContext context, IReadOnlyDictionary<string, byte[]> pending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return InstallMaterial.LoadAsync(context.Config, context.Redactor, Http, cancellationToken, pending);
    }

    public Task<InstallMaterial> GetAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        lock (_gate)
        {
            return _material ??= InstallMaterial.LoadAsync(context.Config, context.Redactor, Http, cancellationToken);
        }
    }
}
