using Bootstrap.Core.Config;
using Bootstrap.Core.Rendering;

namespace Bootstrap.Core.ControlPlane;

/// <summary>The files kube-apiserver reads besides certificates: the audit policy and the encryption-at-rest configuration.</summary>
internal sealed class ApiServerConfigFiles
{
    /// <summary>aescbc takes a 32-byte (AES-256) key.</summary>
    public const int EncryptionKeyLength = 32;

    private readonly TemplateRenderer _renderer;

    public ApiServerConfigFiles(TemplateRenderer renderer) => _renderer = renderer;

    public string AuditPolicy(ClusterConfig config) =>
        _renderer.Render("audit-policy.yaml.sbn", new { ClusterName = config.Name });

    /// <param name="keys">
    /// The AES keys, each generated once and kept in the cluster state; the first encrypts new writes, the others
    /// (during a rotation) still decrypt what they encrypted.
    /// </param>
    public string EncryptionConfig(ClusterConfig config, IReadOnlyList<EncryptionKey> keys)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            throw new ArgumentException("at least one encryption key is needed", nameof(keys));
        }

        foreach (var key in keys)
        {
            if (key.Secret.Length != EncryptionKeyLength)
            {
                throw new ArgumentException($"the encryption key {key.Name} must be {EncryptionKeyLength} bytes, not {key.Secret.Length}", nameof(keys));
            }

            if (!EncryptionKey.IsValidName(key.Name))
            {
                throw new ArgumentException($"not a key name: '{key.Name}'", nameof(keys));
            }
        }

        return _renderer.Render(
            "encryption-config.yaml.sbn",
            new { ClusterName = config.Name, Keys = keys.Select(k => new { k.Name, Secret = Convert.ToBase64String(k.Secret) }).ToArray() });
    }
}
