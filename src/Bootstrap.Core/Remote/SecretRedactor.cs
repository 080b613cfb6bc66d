using System.Collections.Concurrent;
using System.Text;

namespace Bootstrap.Core.Remote;

/// <summary>
/// Secrets (tokens, passwords, key material) registered once are masked in every log line,
/// error and plan that passes through <see cref="Redact"/>: every character of every occurrence of a secret is masked (where
/// occurrences overlap, one mask covers them all). Thread-safe. The text is read once, whatever the number of secrets (a
/// private key registers each of its lines): the secrets are looked up by their first four characters.
/// </summary>
public sealed class SecretRedactor
{
    public const string Mask = "[REDACTED]";

    // Secrets shorter than this would mask ordinary words; callers must not register them.
    private const int MinimumLength = 4;

    private readonly ConcurrentDictionary<string, byte> _secrets = new(StringComparer.Ordinal);
    private int _version;
    private Matcher? _matcher;

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

        // After the secrets: a matcher built from a version holds at least the secrets registered before it.
        Interlocked.Increment(ref _version);
    }

    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text) || _secrets.IsEmpty)
        {
            return text ?? string.Empty;
        }

        var version = Volatile.Read(ref _version);
        var matcher = Volatile.Read(ref _matcher);
        if (matcher is null || matcher.Version != version)
        {
            matcher = new Matcher(_secrets.Keys, version);
            Volatile.Write(ref _matcher, matcher);
        }

        return matcher.Redact(text);
    }

    /// <summary>The secrets of one version, by their first <see cref="MinimumLength"/> characters, longest first.</summary>
    private sealed class Matcher(IEnumerable<string> secrets, int version)
    {
        private readonly Dictionary<ulong, string[]> _byStart = secrets
            .GroupBy(s => Key(s))
            .ToDictionary(g => g.Key, g => g.OrderByDescending(s => s.Length).ToArray());

        public int Version { get; } = version;

        public string Redact(string text)
        {
            StringBuilder? output = null;
            var copied = 0;
            var start = -1;
            var end = -1;
            for (var i = 0; i + MinimumLength <= text.Length; i++)
            {
                if (!_byStart.TryGetValue(Key(text.AsSpan(i)), out var candidates))
                {
                    continue;
                }

                foreach (var secret in candidates)
                {
                    if (!text.AsSpan(i).StartsWith(secret, StringComparison.Ordinal))
                    {
                        continue;
                    }

                    if (i >= end)
                    {
                        // A new masked stretch: the one before it (if any) is written out.
                        if (start >= 0)
                        {
                            output = (output ?? new StringBuilder(text.Length)).Append(text, copied, start - copied).Append(Mask);
                            copied = end;
                        }

                        start = i;
                    }

                    end = Math.Max(end, i + secret.Length);
                    break;
                }
            }

            if (start < 0)
            {
                return text;
            }

            output = (output ?? new StringBuilder(text.Length)).Append(text, copied, start - copied).Append(Mask);
            return output.Append(text, end, text.Length - end).ToString();
        }

        private static ulong Key(ReadOnlySpan<char> text) => text[0] | ((ulong)text[1] << 16) | ((ulong)text[2] << 32) | ((ulong)text[3] << 48);
    }
}
