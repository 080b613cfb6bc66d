using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// The run's API client, made once from the cluster material's admin.conf. Phases plan with
/// <see cref="ReaderAsync"/> (in a dry run, null when the API does not answer yet: a plan before the control
/// plane exists), and changes apply with <see cref="ClientAsync"/>.
/// </summary>
internal sealed class ApiSource : IDisposable
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly IClusterReader? _reader;
    private Task<ClusterApi>? _api;
    private Task<bool>? _answers;

    public ApiSource()
    {
    }

    /// <summary>A source whose reader is <paramref name="reader"/>, for tests of what phases plan; it has no client to apply with.</summary>
    internal ApiSource(IClusterReader reader) => _reader = reader;

    /// <summary>For planning: the reader; in a dry run, null when the API does not answer.</summary>
    public async Task<IClusterReader?> ReaderAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_reader is not null)
        {
            return _reader;
        }

        var api = await GetAsync(context, cancellationToken).ConfigureAwait(false);
        if (!context.DryRun)
        {
            return api;
        }

        Task<bool> answers;
        lock (_gate)
        {
            answers = _answers ??= api.AnswersAsync(AnswerTimeout, cancellationToken);
        }

        return await answers.ConfigureAwait(false) ? api : null;
    }

    /// <summary>For applying changes: the client.</summary>
    public Task<ClusterApi> ClientAsync(ApplyContext apply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(apply);
        return GetAsync(apply.Run, cancellationToken);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_api is { IsCompletedSuccessfully: true } api)
            {
                api.Result.Dispose();
            }
        }
    }

    private Task<ClusterApi> GetAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _api ??= CreateAsync(context, cancellationToken);
        }
    }

    private static async Task<ClusterApi> CreateAsync(PhaseContext context, CancellationToken cancellationToken)
    {
        var material = await context.Material.GetAsync(context, cancellationToken).ConfigureAwait(false);
        return new ClusterApi(material.StateFile(Pki.KubeadmNames.AdminKubeconfig));
    }
}
