using System.Security.Cryptography;
using System.Text;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Pki;

namespace Bootstrap.Core.Install;

/// <summary>
/// The cluster's secrets besides its PKI, kept in the cluster state: the encryption-at-rest keys and the VRRP
/// password of the load balancers. Like the CAs, they are made once, when the state is created, and never again:
/// a key made anew under the old name would leave every Secret encrypted with the old one unreadable. A state
/// whose PKI exists but that lacks one of them is refused, with the way to recover it from a host.
/// </summary>
internal static class ClusterSecrets
{
    /// <summary>One key per line, "NAME BASE64"; the first encrypts new writes, the others still decrypt (during a rotation).</summary>
    public const string EncryptionKeysFile = "secrets/encryption-keys";

    /// <summary>The single key (named key1) of states made before rotation existed; read when <see cref="EncryptionKeysFile"/> is absent.</summary>
    public const string LegacyEncryptionKeyFile = "secrets/encryption-key";

    public const string VrrpPasswordFile = "secrets/vrrp-password";

    public const string FirstKeyName = "key1";

    private const string PasswordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>
    /// The files to write so the state has its secrets: new ones when the state is being created
    /// (<paramref name="stateExists"/> false), none otherwise.
    /// </summary>
    /// <exception cref="PkiStateException">The state exists and lacks a secret (or holds an unreadable one).</exception>
    public static async Task<IReadOnlyList<StateFile>> PlanAsync(PkiStateDirectory state, bool stateExists, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var files = new List<StateFile>();
        if (await ReadKeysAsync(state, cancellationToken).ConfigureAwait(false) is null)
        {
            if (stateExists)
            {
                throw Missing(state, EncryptionKeysFile, "the encryption-at-rest key", "every Secret encrypted with the old key would become unreadable");
            }

            files.Add(new StateFile(EncryptionKeysFile, FormatKeys([new EncryptionKey(FirstKeyName, RandomNumberGenerator.GetBytes(ApiServerConfigFiles.EncryptionKeyLength))]), PkiStateDirectory.SecretMode));
        }

        if (await ReadVrrpPasswordAsync(state, cancellationToken).ConfigureAwait(false) is null)
        {
            if (stateExists)
            {
                throw Missing(state, VrrpPasswordFile, "the load balancers' VRRP password", "the load balancers would stop trusting each other while the new one rolls out");
            }

            files.Add(new StateFile(VrrpPasswordFile, Encoding.ASCII.GetBytes(RandomNumberGenerator.GetString(PasswordAlphabet, 8) + "\n"), PkiStateDirectory.SecretMode));
        }

        return files;
    }

    /// <summary>The encryption keys of the state (first = the one that encrypts), or null when it has none.</summary>
    /// <exception cref="PkiStateException">The file exists but is not valid.</exception>
    public static async Task<IReadOnlyList<EncryptionKey>?> ReadKeysAsync(PkiStateDirectory state, CancellationToken cancellationToken, IReadOnlyDictionary<string, byte[]>? pending = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var content = pending?.GetValueOrDefault(EncryptionKeysFile) ?? await state.ReadAsync(EncryptionKeysFile, cancellationToken).ConfigureAwait(false);
        if (content is not null)
        {
            return ParseKeys(Encoding.ASCII.GetString(content), state.FullPath(EncryptionKeysFile));
        }

        var legacy = await state.ReadAsync(LegacyEncryptionKeyFile, cancellationToken).ConfigureAwait(false);
        return legacy is null ? null : [new EncryptionKey(FirstKeyName, DecodeKey(Encoding.ASCII.GetString(legacy).Trim(), state.FullPath(LegacyEncryptionKeyFile)))];
    }

    /// <summary>The VRRP password of the state, or null when it has none.</summary>
    /// <exception cref="PkiStateException">The file exists but holds no password: empty, or not one word of printable ASCII.</exception>
    public static async Task<string?> ReadVrrpPasswordAsync(PkiStateDirectory state, CancellationToken cancellationToken, IReadOnlyDictionary<string, byte[]>? pending = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var content = pending?.GetValueOrDefault(VrrpPasswordFile) ?? await state.ReadAsync(VrrpPasswordFile, cancellationToken).ConfigureAwait(false);
        if (content is null)
        {
            return null;
        }

        // What keepalived.conf's auth_pass holds, as made (8 letters and digits) or pulled (one word). An empty, truncated-to-nothing
        // or binary file was taken as the password and would have been written into every load balancer's keepalived.conf.
        var password = Encoding.ASCII.GetString(content).Trim();
        return password.Length > 0 && content.AsSpan().Trim("\r\n\t "u8).IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E) < 0
            ? password
            : throw new PkiStateException(
                $"{state.FullPath(VrrpPasswordFile)} is damaged: it holds no VRRP password (one word of printable ASCII). Restore it from a backup of the state "
                + "directory, or move it aside and recover it from the load balancers with `bootstrap state pull -f CLUSTER_FILE --from CONTROL_PLANE_HOST`.");
    }

    public static byte[] FormatKeys(IReadOnlyList<EncryptionKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return Encoding.ASCII.GetBytes(string.Concat(keys.Select(k => $"{k.Name} {Convert.ToBase64String(k.Secret)}\n")));
    }

    /// <summary>How damaged encryption keys are made right: never new keys (the cluster's secrets in etcd are sealed with these).</summary>
    private const string KeysWayBack =
        "Restore it from a backup of the state directory, or move it aside and recover it from the control planes with "
        + "`bootstrap state pull -f CLUSTER_FILE --from CONTROL_PLANE_HOST`.";

    public static IReadOnlyList<EncryptionKey> ParseKeys(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(text);
        var keys = new List<EncryptionKey>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !EncryptionKey.IsValidName(parts[0]) || keys.Any(k => k.Name == parts[0]))
            {
                throw new PkiStateException($"{path} is damaged: each line must be a unique key name (letters, digits, - and _) and its base64 secret. {KeysWayBack}");
            }

            keys.Add(new EncryptionKey(parts[0], DecodeKey(parts[1], path)));
        }

        return keys.Count > 0 ? keys : throw new PkiStateException($"{path} is damaged: it holds no key. {KeysWayBack}");
    }

    private static byte[] DecodeKey(string base64, string path)
    {
        var bytes = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, bytes, out var length) && length == ApiServerConfigFiles.EncryptionKeyLength
            ? bytes[..length]
            : throw new PkiStateException($"{path} is damaged: an encryption key must be {ApiServerConfigFiles.EncryptionKeyLength} bytes in base64. {KeysWayBack}");
    }

    private static PkiStateException Missing(PkiStateDirectory state, string file, string what, string consequence) => new(
        $"{state.FullPath(file)} is missing: the cluster state in {state.Root} has a PKI but not {what}. A new one is never made for an existing cluster "
        + $"({consequence}). Recover it from the cluster's hosts with `bootstrap state pull -f CLUSTER_FILE --from CONTROL_PLANE_HOST` "
        + "(it fills in what the state lacks and checks the rest against the host), or restore the file from a backup.");
}
