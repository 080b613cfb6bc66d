using System.Collections.Concurrent;

namespace Bootstrap.Core.Remote;

/// <summary>
/// Secrets (tokens, passwords, key material) registered once are masked in every log line,
/// error and plan that passes through <see cref="Redact"/>. Thread-safe.
/// </summary>
public sealed class SecretRedactor
{
    public const string Mask = "[REDACTED]";

    // Secrets shorter than this would mask ordinary words; callers must not register them.
    private const int MinimumLength = 4;

    private readonly ConcurrentDictionary<string, byte> _secrets = new(StringComparer.Ordinal);

    public void Register(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (secret.Length < MinimumLength)
        {
            throw new ArgumentException($"A secret shorter than {MinimumLength} characters cannot be masked reliably.", nameof(secret));
        }

        _secrets.TryAdd(secret, 0);
        foreach (var line in secret.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.Length >= MinimumLength)
            {
                _secrets.TryAdd(line, 0);
            }
        }
    }

    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text) || _secrets.IsEmpty)
        {
            return text ?? string.Empty;
        }

        // Longest first, so a secret containing another is masked whole.
        foreach (var secret in _secrets.Keys.OrderByDescending(s => s.Length))
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        return text;
    }
}
