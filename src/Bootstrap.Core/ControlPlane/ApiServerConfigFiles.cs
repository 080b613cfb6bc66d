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

    /// <param name="keyName">The key's name in the file (e.g. <c>key1</c>); a new name is needed when the key is rotated.</param>
    /// <param name="key">The AES key, generated once per cluster and kept in the cluster state.</param>
    public string EncryptionConfig(ClusterConfig config, string keyName, ReadOnlySpan<byte> key)
    {
        if (key.Length != EncryptionKeyLength)
        {
            throw new ArgumentException($"the encryption key must be {EncryptionKeyLength} bytes, not {key.Length}", nameof(key));
        }

        if (keyName.Length == 0 || !keyName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"not a key name: '{keyName}'", nameof(keyName));
        }

        return _renderer.Render(
            "encryption-config.yaml.sbn",
            new { ClusterName = config.Name, KeyName = keyName, KeyBase64 = Convert.ToBase64String(key) });
    }
}
