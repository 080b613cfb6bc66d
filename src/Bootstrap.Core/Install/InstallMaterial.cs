using System.Security.Cryptography;
using System.Text;
using Bootstrap.Core.Config;
using Bootstrap.Core.Pki;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Install;

/// <summary>
/// What the install phases push, gathered once per run from the cluster state on the workstation: the
/// PKI (generated or completed on first use), the encryption-at-rest key and the VRRP password (each
/// generated once and kept in the state), and the artifacts. In a dry run nothing is written: the PKI is
/// previewed in memory and missing secrets are made up for the run only.
/// </summary>
internal sealed class InstallMaterial
{
    /// <summary>The encryption key's name in encryption-config.yaml.</summary>
    public const string EncryptionKeyName = "key1";

    public const string EncryptionKeyFile = "secrets/encryption-key";
    public const string VrrpPasswordFile = "secrets/vrrp-password";
    public const string ArtifactCacheDirectory = "artifacts";

    private const string PasswordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private readonly IReadOnlyDictionary<string, byte[]> _state;

    private InstallMaterial(ClusterConfig config, IReadOnlyDictionary<string, byte[]> state, byte[] encryptionKey, string vrrpPassword, ArtifactSource artifacts, PkiChanges pki)
    {
        Config = config;
        _state = state;
        EncryptionKey = encryptionKey;
        VrrpPassword = vrrpPassword;
        Artifacts = artifacts;
        Pki = pki;
    }

    public ClusterConfig Config { get; }

    public byte[] EncryptionKey { get; }

    public string VrrpPassword { get; }

    public ArtifactSource Artifacts { get; }

    /// <summary>What the PKI step did (or, in a dry run, would do).</summary>
    public PkiChanges Pki { get; }

    /// <summary>A file of the cluster state, by its path relative to the state directory (e.g. <c>pki/ca.crt</c>).</summary>
    /// <exception cref="InvalidOperationException">The state has no such file (a bug: the catalog lists every file).</exception>
    public byte[] StateFile(string relative) =>
        _state.TryGetValue(relative, out var content) ? content : throw new InvalidOperationException($"the cluster state has no {relative}");

    /// <exception cref="PkiStateException">The PKI state is inconsistent.</exception>
    /// <exception cref="ArtifactException">The artifacts cannot be described.</exception>
    public static async Task<InstallMaterial> LoadAsync(
        ClusterConfig config, bool dryRun, SecretRedactor redactor, TimeProvider time, HttpClient http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(redactor);
        var request = PkiRequestFactory.FromCluster(config);
        var manager = new PkiManager(time);
        var pki = dryRun
            ? await manager.PreviewAsync(request, config.StateDirectory, cancellationToken).ConfigureAwait(false)
            : await manager.EnsureAsync(request, config.StateDirectory, cancellationToken).ConfigureAwait(false);

        var stateDirectory = new PkiStateDirectory(config.StateDirectory);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var relative in StatePaths(request))
        {
            var content = pki.Pending.TryGetValue(relative, out var pending)
                ? pending
                : await stateDirectory.ReadAsync(relative, cancellationToken).ConfigureAwait(false);
            if (content is not null)
            {
                files[relative] = content;
            }
        }

        var encryptionKey = Convert.FromBase64String(Encoding.ASCII.GetString(
            await SecretAsync(stateDirectory, EncryptionKeyFile, () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), dryRun, cancellationToken)
                .ConfigureAwait(false)).Trim());
        var vrrpPassword = Encoding.ASCII.GetString(
            await SecretAsync(stateDirectory, VrrpPasswordFile, () => RandomNumberGenerator.GetString(PasswordAlphabet, 8), dryRun, cancellationToken)
                .ConfigureAwait(false)).Trim();
        redactor.Register(Convert.ToBase64String(encryptionKey));
        redactor.Register(vrrpPassword);

        var artifacts = await ArtifactSource.OpenAsync(config.Artifacts, stateDirectory.FullPath(ArtifactCacheDirectory), http, cancellationToken).ConfigureAwait(false);
        return new InstallMaterial(config, files, encryptionKey, vrrpPassword, artifacts, pki);
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

    private static async Task<byte[]> SecretAsync(PkiStateDirectory state, string relative, Func<string> create, bool dryRun, CancellationToken cancellationToken)
    {
        if (await state.ReadAsync(relative, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        var content = Encoding.ASCII.GetBytes(create() + "\n");
        if (!dryRun)
        {
            await state.WriteAsync(relative, content, PkiStateDirectory.SecretMode, cancellationToken).ConfigureAwait(false);
        }

        return content;
    }
}
