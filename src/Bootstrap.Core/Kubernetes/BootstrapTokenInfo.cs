using System.Globalization;
using System.Text;
using k8s.Models;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// What a bootstrap token Secret says about its token, without the secret: its id, expiry, usages,
/// description and extra groups (kubeadm's <c>BootstrapTokenFromSecret</c>, minus the credential).
/// </summary>
internal sealed record BootstrapTokenInfo
{
    private const string UsagePrefix = "usage-bootstrap-";

    public required string Id { get; init; }

    /// <summary>When the token expires; null when it never does.</summary>
    public DateTimeOffset? Expires { get; init; }

    /// <summary>The usages set to "true" (e.g. authentication, signing), sorted as kubeadm sorts them.</summary>
    public IReadOnlyList<string> Usages { get; init; } = [];

    public string Description { get; init; } = string.Empty;

    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>Reads a token Secret; returns null and says why when it is not a valid one (the secret is never quoted).</summary>
    public static BootstrapTokenInfo? FromSecret(V1Secret secret, out string problem)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var name = secret.Metadata?.Name ?? "(unnamed)";
        var data = secret.Data ?? new Dictionary<string, byte[]>();
        string Text(string key) => data.TryGetValue(key, out var value) ? Encoding.UTF8.GetString(value) : string.Empty;

        var id = Text(KubeadmObjectNames.TokenIdKey);
        if (!BootstrapToken.IsValidId(id) || name != KubeadmObjectNames.BootstrapTokenSecretPrefix + id)
        {
            problem = $"Secret {name} does not hold a valid bootstrap token id matching its name";
            return null;
        }

        DateTimeOffset? expires = null;
        var expiration = Text(KubeadmObjectNames.TokenExpirationKey);
        if (expiration.Length > 0)
        {
            if (!DateTimeOffset.TryParse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                problem = $"Secret {name} has an expiration that is not an RFC 3339 time";
                return null;
            }

            expires = parsed;
        }

        problem = string.Empty;
        return new BootstrapTokenInfo
        {
            Id = id,
            Expires = expires,
            Usages = data
                .Where(d => d.Key.StartsWith(UsagePrefix, StringComparison.Ordinal) && Encoding.UTF8.GetString(d.Value) == "true")
                .Select(d => d.Key[UsagePrefix.Length..])
                .Order(StringComparer.Ordinal)
                .ToList(),
            Description = Text(KubeadmObjectNames.TokenDescriptionKey),
            Groups = Text(KubeadmObjectNames.TokenExtraGroupsKey).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };
    }

    /// <summary>kubeadm's TTL column: the short human time left at <paramref name="now"/>, <c>&lt;forever&gt;</c> without expiry.</summary>
    public string Ttl(DateTimeOffset now) => Expires is { } expires ? GoDuration.ShortHuman(expires - now) : "<forever>";

    /// <summary>kubeadm's EXPIRES column: RFC 3339 (UTC), <c>&lt;never&gt;</c> without expiry.</summary>
    public string ExpiresText => Expires is { } expires ? BootstrapToken.Rfc3339(expires) : "<never>";
}
