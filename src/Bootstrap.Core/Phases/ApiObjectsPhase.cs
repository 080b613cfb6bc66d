using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Workflow;
using k8s;
using k8s.Models;

namespace Bootstrap.Core.Phases;

/// <summary>
/// A phase that makes the API hold a set of objects (create, or replace when the server's copy differs), from the
/// workstation through the control-plane endpoint with the cluster state's admin.conf. It acts on the cluster as a
/// whole and needs no SSH. Subclasses say which objects.
/// </summary>
internal abstract class ApiObjectsPhase(string name, string description) : ILeafPhase
{
    public string Name => name;

    public string Description => description;

    public IReadOnlyList<PhaseTarget> Targets(ClusterConfig config) => [PhaseTarget.Cluster];

    public async Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Disabled(context.Config) is { } why)
        {
            return TargetPlan.Nothing(why);
        }

        var material = await context.Material.GetAsync(context, cancellationToken).ConfigureAwait(false);
        var api = await context.Api.ReaderAsync(context, cancellationToken).ConfigureAwait(false);
        var objects = await ObjectsAsync(material, api, cancellationToken).ConfigureAwait(false);
        var changes = new List<Change>();
        var notes = new List<string>();
        foreach (var wanted in objects)
        {
            var kind = api is null ? ChangeKind.ApiCreate : await api.DiffAsync(wanted, cancellationToken).ConfigureAwait(false);
            if (kind is not { } k)
            {
                continue;
            }

            if (k == ChangeKind.ApiUpdate && KeptWhenChanged(wanted) is { } kept)
            {
                notes.Add($"kept {ObjectComparison.Describe(wanted)} as it is: {kept}");
                continue;
            }

            changes.Add(new Change
            {
                Host = PhaseTarget.ClusterName,
                Kind = k,
                Target = ObjectComparison.Describe(wanted),
                Reason = api is null ? "the API does not answer yet" : null,
                Apply = async (apply, ct) =>
                {
                    var client = await apply.Run.Api.ClientAsync(apply, ct).ConfigureAwait(false);
                    await client.ApplyAsync(wanted, ct).ConfigureAwait(false);
                    return [];
                },
            });
        }

        return changes.Count > 0 ? TargetPlan.Of(changes, [.. notes]) : TargetPlan.Nothing([$"{objects.Count - notes.Count} objects already in place", .. notes]);
    }

    /// <summary>The objects the API must hold.</summary>
    protected abstract IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Objects(InstallMaterial material);

    /// <summary>The objects the API must hold, given what it holds (null while it does not answer); <see cref="Objects"/> unless overridden.</summary>
    protected virtual Task<IReadOnlyList<IKubernetesObject<V1ObjectMeta>>> ObjectsAsync(InstallMaterial material, IClusterReader? api, CancellationToken cancellationToken) =>
        Task.FromResult(Objects(material));

    /// <summary>Why the cluster file turns this phase off (nothing is created or deleted then); null when it runs.</summary>
    protected virtual string? Disabled(ClusterConfig config) => null;

    /// <summary>Why an object that exists but differs is kept as it is (created when missing, never replaced); null to replace it.</summary>
    protected virtual string? KeptWhenChanged(IKubernetesObject<V1ObjectMeta> wanted) => null;

    /// <summary>The cluster CA certificate from the state, as PEM text.</summary>
    public static string CaPem(InstallMaterial material)
    {
        ArgumentNullException.ThrowIfNull(material);
        return System.Text.Encoding.ASCII.GetString(material.StateFile("pki/ca.crt"));
    }
}
