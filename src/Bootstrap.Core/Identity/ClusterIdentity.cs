using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Install;
using Bootstrap.Core.Pki;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;
using YamlDotNet.RepresentationModel;

namespace Bootstrap.Core.Identity;

/// <summary>
/// A cluster's identity: what, once a cluster runs, must never be replaced by a run — the three CAs and their
/// keys, the service-account key pair (every certificate, kubeconfig and token of the cluster depends on them),
/// the encryption-at-rest keys (every Secret in etcd) and the VRRP password (the load balancers' trust in each
/// other). Read from hosts and from the state, and compared, so that a run from a second workstation, a lost
/// state or a mistaken state directory is refused before it writes anything.
/// </summary>
internal static partial class ClusterIdentity
{
    public static readonly IReadOnlyList<IdentityFile> PkiFiles =
    [
        .. new[] { "ca", "front-proxy-ca", "etcd/ca" }.SelectMany(ca => new[]
        {
            new IdentityFile($"pki/{ca}.crt", $"{KubeadmLayout.PkiDir}/{ca}.crt"),
            new IdentityFile($"pki/{ca}.key", $"{KubeadmLayout.PkiDir}/{ca}.key"),
        }),
        new IdentityFile(CertificateCatalog.ServiceAccountKeyPath + ".key", KubeadmLayout.ServiceAccountPrivateKey),
        new IdentityFile(CertificateCatalog.ServiceAccountKeyPath + ".pub", KubeadmLayout.ServiceAccountPublicKey),
    ];

    /// <summary>
    /// Reads what of the identity <paramref name="view"/>'s host holds: two commands, plus a read of each config that holds a
    /// secret. The configs are read whether or not the host has them, beside the file probe: the reads are then the same on a
    /// fresh host and an installed one, so the run that installs them records them for the next run's read-ahead.
    /// </summary>
    public static async Task<HostIdentity> ReadHostAsync(HostView view, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        var probe = view.FilesAsync([.. PkiFiles.Select(f => f.HostPath), KubeadmLayout.EncryptionConfig, InstallFiles.KeepalivedConfig], cancellationToken);
        var encryption = view.ReadAsync(KubeadmLayout.EncryptionConfig, cancellationToken);
        var vrrpConfig = view.ReadAsync(InstallFiles.KeepalivedConfig, cancellationToken);
        await Task.WhenAll(probe, encryption, vrrpConfig).ConfigureAwait(false);
        var files = await probe.ConfigureAwait(false);
        var sums = PkiFiles
            .Where(f => files[f.HostPath] is not null)
            .ToDictionary(f => f.HostPath, f => files[f.HostPath]!.Sha256, StringComparer.Ordinal);
        IReadOnlyList<EncryptionKey> keys = [];
        if (files[KubeadmLayout.EncryptionConfig] is not null && await encryption.ConfigureAwait(false) is { } config)
        {
            keys = ParseEncryptionKeys(Encoding.UTF8.GetString(config), $"{view.Name}:{KubeadmLayout.EncryptionConfig}");
        }

        string? vrrp = null;
        if (files[InstallFiles.KeepalivedConfig] is not null && await vrrpConfig.ConfigureAwait(false) is { } keepalived)
        {
            vrrp = ParseVrrpPassword(Encoding.UTF8.GetString(keepalived));
        }

        return new HostIdentity(view.Name, sums, keys, vrrp);
    }

    /// <summary>Reads the identity the state in <paramref name="stateDirectory"/> holds (nothing when it holds no cluster yet).</summary>
    public static async Task<StateIdentity> ReadStateAsync(string stateDirectory, CancellationToken cancellationToken)
    {
        var state = new PkiStateDirectory(stateDirectory);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var file in PkiFiles)
        {
            if (await state.ReadAsync(file.StatePath, cancellationToken).ConfigureAwait(false) is { } content)
            {
                files[file.StatePath] = content;
            }
        }

        var keys = await ClusterSecrets.ReadKeysAsync(state, cancellationToken).ConfigureAwait(false) ?? [];
        var vrrp = await ClusterSecrets.ReadVrrpPasswordAsync(state, cancellationToken).ConfigureAwait(false);
        return new StateIdentity(state.Root, state.Exists(PkiStateDirectory.RequestFile), files, keys, vrrp);
    }

    /// <summary>
    /// Every way <paramref name="host"/>'s identity differs from <paramref name="state"/>'s, one line each (never a
    /// secret: files by fingerprint or sha256 prefix, keys by name and digest). Empty when the run may write it.
    /// A host with nothing is always fine; a state with nothing (a new state) differs from any host that has something.
    /// </summary>
    public static IReadOnlyList<string> Differences(HostIdentity host, StateIdentity state, IReadOnlyDictionary<string, byte[]> hostCertificates)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(hostCertificates);
        var lines = new List<string>();
        foreach (var file in PkiFiles.Where(f => host.Sha256ByHostPath.ContainsKey(f.HostPath)))
        {
            var hostSum = host.Sha256ByHostPath[file.HostPath];
            if (!state.FilesByStatePath.TryGetValue(file.StatePath, out var stateContent))
            {
                lines.Add($"{file.HostPath}: the host has {Fingerprint(file, hostSum, hostCertificates.GetValueOrDefault(file.HostPath))}; the state has none");
                continue;
            }

            if (SameContent(hostSum, stateContent))
            {
                continue;
            }

            var stateSum = Convert.ToHexStringLower(SHA256.HashData(stateContent));

            var hostHas = $"{file.HostPath}: the host has {Fingerprint(file, hostSum, hostCertificates.GetValueOrDefault(file.HostPath))}; ";
            lines.Add(file.Damage(stateContent, state.FilesByStatePath) is { } damage
                // Not another cluster's identity: the state's own file is damaged (or was replaced by something else).
                ? hostHas + $"the state's {Path.Combine(state.Root, file.StatePath)} {damage} (sha256 {stateSum[..16]}…): "
                    + "the file is damaged; restore it from a backup of the state directory"
                : hostHas + $"the state has {Fingerprint(file, stateSum, stateContent)}");
        }

        foreach (var key in host.EncryptionKeys.Where(k => !state.EncryptionKeys.Any(s => s.Name == k.Name && s.Secret.AsSpan().SequenceEqual(k.Secret))))
        {
            var stateKey = state.EncryptionKeys.FirstOrDefault(s => s.Name == key.Name);
            lines.Add($"{KubeadmLayout.EncryptionConfig}: the host encrypts Secrets with key \"{key.Name}\" (sha256 {Digest(key.Secret)}), "
                + (stateKey is null ? "which the state does not hold" : $"the state's \"{key.Name}\" is another key (sha256 {Digest(stateKey.Secret)})")
                + ": replacing it would leave every Secret it encrypted unreadable");
        }

        if (host.VrrpPassword is { } password && password != state.VrrpPassword)
        {
            lines.Add($"{InstallFiles.KeepalivedConfig}: the host's VRRP password (sha256 {Digest(Encoding.UTF8.GetBytes(password))}) is "
                + (state.VrrpPassword is null ? "not in the state" : $"not the state's (sha256 {Digest(Encoding.UTF8.GetBytes(state.VrrpPassword))})"));
        }

        return lines;
    }

    /// <summary>
    /// The host paths of the PKI files the host holds with other content than the state's sound copy of them: what writing the
    /// state's copy would repair if only this host was damaged. A file whose state copy is damaged is never one of them.
    /// </summary>
    public static IReadOnlyList<string> DifferingFiles(HostIdentity host, StateIdentity state)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(state);
        return PkiFiles
            .Where(f => host.Sha256ByHostPath.TryGetValue(f.HostPath, out var sum) && state.FilesByStatePath.TryGetValue(f.StatePath, out var content)
                && !SameContent(sum, content) && f.Damage(content, state.FilesByStatePath) is null)
            .Select(f => f.HostPath)
            .ToList();
    }

    private static bool SameContent(string hostSha256, byte[] stateContent) =>
        string.Equals(hostSha256, Convert.ToHexStringLower(SHA256.HashData(stateContent)), StringComparison.OrdinalIgnoreCase);

    /// <summary>The keys of an EncryptionConfiguration's aescbc providers, in order; empty when it has none.</summary>
    public static IReadOnlyList<EncryptionKey> ParseEncryptionKeys(string yaml, string where)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new InvalidDataException($"{where} is not valid YAML: {e.Message}", e);
        }

        var keys = new List<EncryptionKey>();
        if (stream.Documents.Count == 0)
        {
            return keys;
        }

        foreach (var resource in Sequence(stream.Documents[0].RootNode, "resources"))
        {
            foreach (var provider in Sequence(resource, "providers"))
            {
                if (provider is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode("aescbc"), out var aescbc))
                {
                    foreach (var key in Sequence(aescbc, "keys"))
                    {
                        var name = Scalar(key, "name");
                        var secret = Scalar(key, "secret");
                        var bytes = new byte[secret?.Length ?? 0];
                        if (name is null || secret is null || !Convert.TryFromBase64String(secret, bytes, out var length))
                        {
                            throw new InvalidDataException($"{where}: an aescbc key without a name or a base64 secret");
                        }

                        if (!keys.Any(k => k.Name == name))
                        {
                            keys.Add(new EncryptionKey(name, bytes[..length]));
                        }
                    }
                }
            }
        }

        return keys;
    }

    /// <summary>The <c>auth_pass</c> of a keepalived configuration, or null when it has none.</summary>
    public static string? ParseVrrpPassword(string keepalived)
    {
        ArgumentNullException.ThrowIfNull(keepalived);
        var match = AuthPass().Match(keepalived);
        return match.Success ? match.Groups[1].Value : null;
    }

    private static string Fingerprint(IdentityFile file, string sha256, byte[]? content)
    {
        if (file.IsCertificate && content is not null && StoredCredential.TryParseCertificate(content) is { } certificate)
        {
            var der = certificate.GetEncoded();
            return $"the certificate {certificate.SubjectDN} with SHA-256 fingerprint {string.Join(':', SHA256.HashData(der).Take(8).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)))}…";
        }

        return string.Equals(sha256, RemoteFileState.EmptySha256, StringComparison.OrdinalIgnoreCase)
            ? "an empty file, or no regular file (a device, a FIFO, a directory: never read)"
            : $"a file with sha256 {sha256[..Math.Min(16, sha256.Length)]}…";
    }

    private static string Digest(byte[] secret) => Convert.ToHexStringLower(SHA256.HashData(secret))[..12] + "…";

    private static IEnumerable<YamlNode> Sequence(YamlNode node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlSequenceNode sequence
            ? sequence.Children
            : [];

    private static string? Scalar(YamlNode node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    [GeneratedRegex(@"^\s*auth_pass\s+(\S+)\s*$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex AuthPass();
}
