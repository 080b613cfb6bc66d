using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;
using k8s;
using k8s.Models;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary>
/// A leaf that makes the API hold a set of objects (create, or replace when the server's copy differs).
/// The API is cluster-wide, not per host: the phase targets the first control-plane host only so that it
/// runs once and shows up under that host in reports, but it talks to the API from the workstation,
/// through the control-plane endpoint, with the cluster state's admin.conf.
/// </summary>
internal sealed class ApiObjectsPhase : IClusterWidePhase
{
    private readonly NodeSession _session;
    private readonly Func<InstallMaterial, IReadOnlyList<IKubernetesObject<V1ObjectMeta>>> _objects;

    public ApiObjectsPhase(string name, string description, NodeSession session, Func<InstallMaterial, IReadOnlyList<IKubernetesObject<V1ObjectMeta>>> objects)
    {
        Name = name;
        Description = description;
        _session = session;
        _objects = objects;
    }

    public string Name { get; }

    public string Description { get; }

    public IReadOnlyList<IPhase> Children => [];

    public IReadOnlyList<HostSpec> Targets(ClusterConfig config) => ApiTarget(config);

    public Task<bool> NeedsRunAsync(PhaseContext context, IRemoteHost host, CancellationToken cancellationToken) => Task.FromResult(true);

    public async Task<PhaseResult> RunAsync(PhaseContext context, IRemoteHost host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var material = await _session.Install.MaterialAsync(context, cancellationToken).ConfigureAwait(false);
        var objects = _objects(material);
        if (await _session.ApiOrNullInPlanAsync(context, cancellationToken).ConfigureAwait(false) is not { } api)
        {
            return PhaseResult.ChangedWith($"would create or update {objects.Count} objects once the API answers");
        }

        var details = new List<string>();
        foreach (var obj in objects)
        {
            if (await api.ApplyAsync(obj, context.DryRun, cancellationToken).ConfigureAwait(false) is { } change)
            {
                details.Add(change);
            }
        }

        return details.Count > 0
            ? new PhaseResult { Changed = true, Details = details }
            : PhaseResult.Unchanged($"{objects.Count} objects already in place");
    }

    /// <summary>Where cluster-wide API phases are reported: the first control-plane host of the cluster file.</summary>
    public static IReadOnlyList<HostSpec> ApiTarget(ClusterConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.ControlPlaneHosts.Take(1).ToArray();
    }

    /// <summary>The cluster CA certificate from the state, as PEM text.</summary>
    public static string CaPem(InstallMaterial material)
    {
        ArgumentNullException.ThrowIfNull(material);
        return System.Text.Encoding.ASCII.GetString(material.StateFile("pki/ca.crt"));
    }
}
