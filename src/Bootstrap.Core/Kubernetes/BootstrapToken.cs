using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using k8s.Models;

namespace Bootstrap.Core.Kubernetes;

/// <summary>
/// A kubeadm bootstrap token, <c>[a-z0-9]{6}.[a-z0-9]{16}</c>: a public id and a secret. The id names
/// the token's Secret (<c>bootstrap-token-&lt;id&gt;</c>); the secret is a credential, so
/// <see cref="ToString"/> prints only the id.
/// </summary>
internal sealed partial record BootstrapToken
{
    public const int IdLength = 6;
    public const int SecretLength = 16;

    /// <summary>kubeadm's default lifetime (<c>DefaultTokenDuration</c>).</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromHours(24);

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    private BootstrapToken(string id, string secret)
    {
        Id = id;
        Secret = secret;
    }

    public string Id { get; }

    public string Secret { get; }

    /// <summary>The whole token, <c>id.secret</c>, as <c>kubeadm join --token</c> takes it. A credential.</summary>
    public string Value => Id + "." + Secret;

    /// <summary>The name of the Secret holding this token in kube-system.</summary>
    public string SecretName => KubeadmObjectNames.BootstrapTokenSecretPrefix + Id;

    /// <summary>A new token from the operating system's cryptographic random number generator.</summary>
    public static BootstrapToken Generate() =>
        new(RandomNumberGenerator.GetString(Alphabet, IdLength), RandomNumberGenerator.GetString(Alphabet, SecretLength));

    /// <summary>Reads <c>id.secret</c>; throws a <see cref="FormatException"/> saying what is wrong (never quoting the secret).</summary>
    public static BootstrapToken Parse(string value) =>
        TryParse(value, out var token, out var error) ? token : throw new FormatException(error);

    public static bool TryParse(string? value, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BootstrapToken? token, out string error)
    {
        token = null;
        if (string.IsNullOrEmpty(value))
        {
            error = "a bootstrap token is empty; expected \"<6 characters>.<16 characters>\" of a-z and 0-9";
            return false;
        }

        var dot = value.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            error = "a bootstrap token has no \".\"; expected \"<6 characters>.<16 characters>\" of a-z and 0-9";
            return false;
        }

        var id = value[..dot];
        var secret = value[(dot + 1)..];
        if (!IsTokenPart(id, IdLength))
        {
            error = $"the bootstrap token id \"{Printable(id)}\" is not 6 characters of a-z and 0-9";
            return false;
        }

        if (!IsTokenPart(secret, SecretLength))
        {
            error = string.Create(CultureInfo.InvariantCulture, $"the secret of bootstrap token {id} is not 16 characters of a-z and 0-9 (it has {secret.Length} characters)");
            return false;
        }

        token = new BootstrapToken(id, secret);
        error = string.Empty;
        return true;
    }

    /// <summary>
    /// The Secret kubeadm v1.20 stores for a token (<c>BootstrapToken.ToSecret</c>): usable for
    /// authentication and for signing cluster-info, in <paramref name="groups"/> (kubeadm's default
    /// node-token group unless given), expiring <paramref name="ttl"/> after <paramref name="time"/>'s now
    /// (no expiration for a zero TTL, as in kubeadm).
    /// </summary>
    public V1Secret ToSecret(TimeProvider time, TimeSpan ttl, string description, IReadOnlyList<string>? groups = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(description);
        ArgumentOutOfRangeException.ThrowIfLessThan(ttl, TimeSpan.Zero);
        groups ??= [KubeadmObjectNames.NodeBootstrapTokenGroup];
        if (GroupsProblem(groups) is { } problem)
        {
            throw new ArgumentException(problem, nameof(groups));
        }

        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [KubeadmObjectNames.TokenIdKey] = Ascii(Id),
            [KubeadmObjectNames.TokenSecretKey] = Ascii(Secret),
            [KubeadmObjectNames.TokenUsageAuthenticationKey] = Ascii("true"),
            [KubeadmObjectNames.TokenUsageSigningKey] = Ascii("true"),
            [KubeadmObjectNames.TokenExtraGroupsKey] = Ascii(string.Join(",", groups)),
        };
        if (ttl > TimeSpan.Zero)
        {
            data[KubeadmObjectNames.TokenExpirationKey] = Ascii(Rfc3339(time.GetUtcNow() + ttl));
        }

        if (description.Length > 0)
        {
            data[KubeadmObjectNames.TokenDescriptionKey] = Encoding.UTF8.GetBytes(description);
        }

        return new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = new V1ObjectMeta { Name = SecretName, NamespaceProperty = KubeadmObjectNames.KubeSystem },
            Type = KubeadmObjectNames.BootstrapTokenSecretType,
            Data = data,
        };
    }

    /// <summary>Why <paramref name="groups"/> cannot be a token's extra groups (none, or one not matching cluster-bootstrap's pattern), or null.</summary>
    public static string? GroupsProblem(IReadOnlyList<string> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (groups.Count == 0)
        {
            return "a bootstrap token needs at least one group";
        }

        return groups.Where(g => !BootstrapGroup().IsMatch(g))
            .Select(g => $"bootstrap token group \"{g}\" must start with system:bootstrappers: and hold only a-z, 0-9, \":\" and \"-\"")
            .FirstOrDefault();
    }

    /// <summary>Whether <paramref name="id"/> is a token id (6 characters of a-z and 0-9), as <c>kubeadm token delete</c> accepts it.</summary>
    public static bool IsValidId(string? id) => id is not null && IsTokenPart(id, IdLength);

    /// <summary>Only the id: the secret must not reach logs.</summary>
    public override string ToString() => Id + ".<redacted>";

    /// <summary>Go's <c>time.RFC3339</c> of a UTC instant: whole seconds and <c>Z</c>.</summary>
    internal static string Rfc3339(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static bool IsTokenPart(string part, int length) =>
        part.Length == length && part.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9'));

    private static string Printable(string text) =>
        text.Length > 20 || text.Any(char.IsControl) ? "(" + text.Length.ToString(CultureInfo.InvariantCulture) + " characters)" : text;

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    // cluster-bootstrap's BootstrapGroupPattern.
    [GeneratedRegex(@"\Asystem:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]\z")]
    private static partial Regex BootstrapGroup();
}
