using Bootstrap.Core.Pki;

namespace Bootstrap.Core.Install;

/// <summary>
/// What the cluster state on the workstation lacks, computed in memory: the PKI's changes (with their new keys)
/// and the secrets to create. <see cref="Files"/> is every file to write, in a safe order (keys before
/// certificates, secrets before request.json, which says "this cluster's state exists" and comes last).
/// </summary>
internal sealed record StatePlan(string StateDirectory, PkiChanges Pki, IReadOnlyList<StateFile> Secrets)
{
    public IReadOnlyList<StateFile> Files =>
    [
        .. Pki.PendingFiles.Where(f => f.Path != PkiStateDirectory.RequestFile),
        .. Secrets,
        .. Pki.PendingFiles.Where(f => f.Path == PkiStateDirectory.RequestFile),
    ];

    /// <summary>Each file's content by path, as it will be after <see cref="CommitAsync"/>.</summary>
    public IReadOnlyDictionary<string, byte[]> Pending => Files.ToDictionary(f => f.Path, f => f.Content, StringComparer.Ordinal);

    public Task<IReadOnlyList<string>> CommitAsync(CancellationToken cancellationToken) => PkiManager.CommitAsync(StateDirectory, Files, cancellationToken);

    /// <summary>Completes the cluster state for <paramref name="config"/>: the PKI from its catalog, the secrets when the state is new.</summary>
    /// <exception cref="PkiStateException">The state or an external CA is inconsistent (a missing CA or secret of an existing cluster).</exception>
    public static async Task<StatePlan> CreateAsync(Config.ClusterConfig config, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        var state = new PkiStateDirectory(config.StateDirectory);
        var exists = state.Exists(PkiStateDirectory.RequestFile);
        var pki = await new PkiManager(time).PreviewAsync(PkiRequestFactory.FromCluster(config), config.StateDirectory, cancellationToken).ConfigureAwait(false);
        var secrets = await ClusterSecrets.PlanAsync(state, exists, cancellationToken).ConfigureAwait(false);
        return new StatePlan(config.StateDirectory, pki, secrets);
    }
}
