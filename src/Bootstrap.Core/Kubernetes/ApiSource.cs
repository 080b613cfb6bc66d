using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// The run's API client, made once from the cluster material's admin.conf. Phases plan with
/// <see cref="ReaderAsync"/> (in a dry run, null when the API does not answer yet: a plan before the control
/// plane exists; in a run that reads ahead, its plans share their reads: <see cref="SharedClusterReader"/>), and changes
/// apply with <see cref="ClientAsync"/>.
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
        var reader = Shared(context, api);
        if (!context.DryRun)
        {
            return reader;
        }

        Task<bool> answers;
        lock (_gate)
        {
            answers = _answers ??= api.AnswersAsync(AnswerTimeout, cancellationToken);
        }

        return await answers.ConfigureAwait(false) ? reader : null;
    }

    /// <summary>
    /// Makes a throwaway client from the admin.conf already in the cluster state in <paramref name="stateDirectory"/> and
    /// asks the API for /version, within <paramref name="timeout"/>: started beside the SSH connections, it does the
    /// client's first-use work (kubeconfig parsing, serializers, TLS) while the run waits on the network, so the first
    /// phase that reads the API does not pay for it. Nothing when the state has no admin.conf (a new cluster); never
    /// throws, writes nothing and logs only that it ran. The run's own client is still made from the run's material.
    /// </summary>
    public static async Task WarmUpAsync(string stateDirectory, TimeSpan timeout, Serilog.ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(logger);
        try
        {
            var kubeconfig = await new Pki.PkiStateDirectory(stateDirectory).ReadAsync(Pki.KubeadmNames.AdminKubeconfig, cancellationToken).ConfigureAwait(false);
            if (kubeconfig is null)
            {
                return;
            }

            using var api = new ClusterApi(kubeconfig);
            var answers = await api.AnswersAsync(timeout, cancellationToken).ConfigureAwait(false);
            logger.Debug("[{Phase}] API client warmed up (the API {Answered})", "connect", answers ? "answered" : "did not answer");
        }
#pragma warning disable CA1031 // A warm-up that fails changes nothing: the phases that need the API report their own errors.
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            logger.Debug("[{Phase}] API client warm-up skipped: {Error}", "connect", e.GetType().Name);
        }
    }

    /// <summary>
    /// For what only reads while a change is made or checked (a file rendered from a Node, a check that a node registered): the
    /// client, whose reads are shared with the run's plans when they are made in a plan or a check made ahead (<see cref="SharedClusterReader"/>).
    /// </summary>
    public async Task<IClusterReader> ReadingAsync(ApplyContext apply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(apply);
        return Shared(apply.Run, await GetAsync(apply.Run, cancellationToken).ConfigureAwait(false));
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

    /// <summary>The client as the run's plans read it: their reads shared when the run reads ahead.</summary>
    private static IClusterReader Shared(PhaseContext context, ClusterApi api) =>
        context.Reads is { } reads ? new SharedClusterReader(api, reads.Api) : api;

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
