using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Pki;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Install;

/// <summary>
/// What the phases push, read once per run from the cluster state on the workstation: the PKI, the
/// encryption-at-rest keys, the VRRP password and the artifacts. Reading never creates anything: the state is
/// completed by <c>certs</c> (or <c>bootstrap certs generate</c>), and a state that lacks what a phase needs is an
/// error that says so. In a dry run, <c>certs</c> hands over the files it would write as an overlay.
/// </summary>
internal sealed class InstallMaterial
{
    public const string ArtifactCacheDirectory = "artifacts";

    private readonly IReadOnlyDictionary<string, byte[]> _state;
    private readonly string _stateRoot;

    private InstallMaterial(ClusterConfig config, string stateRoot, IReadOnlyDictionary<string, byte[]> state, IReadOnlyList<EncryptionKey> encryptionKeys, string vrrpPassword, ArtifactSource artifacts)
    {
        Config = config;
        _stateRoot = stateRoot;
        _state = state;
        EncryptionKeys = encryptionKeys;
        VrrpPassword = vrrpPassword;
        Artifacts = artifacts;
    }

    public ClusterConfig Config { get; }

    /// <summary>The encryption-at-rest keys; the first encrypts new writes.</summary>
    public IReadOnlyList<EncryptionKey> EncryptionKeys { get; }

    public string VrrpPassword { get; }

    public ArtifactSource Artifacts { get; }

    /// <summary>The same material with other encryption keys (a rotation rolls keys before the state drops one).</summary>
    public InstallMaterial WithEncryptionKeys(IReadOnlyList<EncryptionKey> keys) => new(Config, _stateRoot, _state, keys, VrrpPassword, Artifacts);

    /// <summary>A file of the cluster state, by its path relative to the state directory (e.g. <c>pki/ca.crt</c>).</summary>
    /// <exception cref="PkiStateException">The state has no such file.</exception>
    public byte[] StateFile(string relative) =>
        _state.TryGetValue(relative, out var content)
            ? content
            : throw new PkiStateException($"{Path.Combine(_stateRoot, relative)} is missing from the cluster state; complete it with `bootstrap certs generate -f CLUSTER_FILE` (or init's certs phase)");

    /// <summary>Reads the state for <paramref name="config"/>, with <paramref name="pending"/> (files a dry run would write) over it.</summary>
    /// <exception cref="PkiStateException">The state has no PKI or no secrets, or they are unreadable.</exception>
    /// <exception cref="ArtifactException">The artifacts cannot be described.</exception>
    public static async Task<InstallMaterial> LoadAsync(
        ClusterConfig config, SecretRedactor redactor, HttpClient http, CancellationToken cancellationToken, IReadOnlyDictionary<string, byte[]>? pending = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(redactor);
        var state = new PkiStateDirectory(config.StateDirectory);
        if (pending?.ContainsKey(PkiStateDirectory.RequestFile) != true && !state.Exists(PkiStateDirectory.RequestFile))
        {
            throw new PkiStateException(
                $"the cluster state in {state.Root} has no PKI yet: create it with `bootstrap certs generate -f CLUSTER_FILE` or a whole `bootstrap init`, "
                + "or, for a cluster that exists, import it from a control-plane host with `bootstrap state pull -f CLUSTER_FILE --from HOST`");
        }

        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var relative in StatePaths(PkiRequestFactory.FromCluster(config)))
        {
            var content = pending?.GetValueOrDefault(relative) ?? await state.ReadAsync(relative, cancellationToken).ConfigureAwait(false);
            if (content is not null)
            {
                files[relative] = content;
            }
        }

        var keys = await ClusterSecrets.ReadKeysAsync(state, cancellationToken, pending).ConfigureAwait(false)
            ?? throw new PkiStateException($"{state.FullPath(ClusterSecrets.EncryptionKeysFile)} is missing; see `bootstrap state pull --help` to recover it from a control-plane host");
        var vrrpPassword = await ClusterSecrets.ReadVrrpPasswordAsync(state, cancellationToken, pending).ConfigureAwait(false)
            ?? throw new PkiStateException($"{state.FullPath(ClusterSecrets.VrrpPasswordFile)} is missing; see `bootstrap state pull --help` to recover it from a load-balancer host");
        foreach (var key in keys)
        {
            redactor.Register(Convert.ToBase64String(key.Secret));
        }

        redactor.Register(vrrpPassword);
        var artifacts = await ArtifactSource.OpenAsync(config.Artifacts, state.FullPath(ArtifactCacheDirectory), http, cancellationToken).ConfigureAwait(false);
        return new InstallMaterial(config, state.Root, files, keys, vrrpPassword, artifacts);
    }

    /// <summary>Every file of the PKI: key pairs as .crt and .key, kubeconfigs as they are, and the service-account key pair.</summary>
    private static IEnumerable<string> StatePaths(PkiRequest request)
    {
        foreach (var spec in CertificateCatalog.Build(request))
        {
            if (spec.Kind == CertificateKind.Kubeconfig)
            {
                yield return spec.Path;
            }
            else
            {
                yield return spec.Path + ".crt";
                yield return spec.Path + ".key";
            }
        }

        yield return CertificateCatalog.ServiceAccountKeyPath + ".key";
        yield return CertificateCatalog.ServiceAccountKeyPath + ".pub";
    }
}
