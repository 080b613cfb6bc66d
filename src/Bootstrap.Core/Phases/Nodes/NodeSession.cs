using System.Collections.Concurrent;
using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Pki;
using Bootstrap.Core.Rendering;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Phases.Nodes;

/// <summary>
/// What the node phases of one run share: the install session (material and renderer), one API client
/// made from the state's admin.conf on first use, and the nodes that joined in this run (so the CSR
/// phase knows whose serving requests to wait for).
/// </summary>
internal sealed class NodeSession
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, string> _joined = new(StringComparer.Ordinal);
    private Task<ClusterApi>? _api;
    private Task<bool>? _answers;

    public NodeSession(InstallSession install)
    {
        Install = install;
        Files = new NodeFiles(new TemplateRenderer());
    }

    public InstallSession Install { get; }

    public NodeFiles Files { get; }

    /// <summary>The nodes that joined in this run, each with the id of the bootstrap token it joined with.</summary>
    public IReadOnlyDictionary<string, string> Joined => new Dictionary<string, string>(_joined, StringComparer.Ordinal);

    public void MarkJoined(string host, string tokenId) => _joined[host] = tokenId;

    /// <summary>
    /// For a phase's API work: the client; in a dry run null when the API does not answer (a plan before
    /// the control plane exists), and the phase then says what it would do once it does.
    /// </summary>
    public async Task<ClusterApi?> ApiOrNullInPlanAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var api = await ApiAsync(context, cancellationToken).ConfigureAwait(false);
        if (!context.DryRun)
        {
            return api;
        }

        Task<bool> answers;
        lock (_gate)
        {
            answers = _answers ??= api.AnswersAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }

        return await answers.ConfigureAwait(false) ? api : null;
    }

    public Task<ClusterApi> ApiAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        lock (_gate)
        {
            return _api ??= CreateAsync(context, cancellationToken);
        }
    }

    private async Task<ClusterApi> CreateAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        var material = await Install.MaterialAsync(context, cancellationToken).ConfigureAwait(false);
        return new ClusterApi(material.StateFile(KubeadmNames.AdminKubeconfig));
    }
}
