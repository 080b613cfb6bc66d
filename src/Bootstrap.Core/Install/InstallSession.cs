using Bootstrap.Core.Rendering;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Install;

/// <summary>
/// What the install phases of one run share: the <see cref="InstallMaterial"/>, loaded on first use
/// (so <c>init phase etcd</c> alone still finds its certificates), and the renderer.
/// </summary>
internal sealed class InstallSession
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(10) };

    private readonly Lock _gate = new();
    private Task<InstallMaterial>? _material;

    public InstallFiles Files { get; } = new(new TemplateRenderer());

    public Task<InstallMaterial> MaterialAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        lock (_gate)
        {
            return _material ??= InstallMaterial.LoadAsync(context.Config, context.DryRun, context.Redactor, context.Time, Http, cancellationToken);
        }
    }
}
