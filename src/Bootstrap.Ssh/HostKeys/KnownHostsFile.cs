using System.Security.Cryptography;
using System.Text;
using Bootstrap.Core.Config;

namespace Bootstrap.Ssh.HostKeys;

/// <summary>
/// Reads and appends OpenSSH known_hosts files (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): comma-separated
/// host patterns with <c>*</c>/<c>?</c> wildcards and <c>!</c> negation, <c>[host]:port</c> for other
/// ports, hashed <c>|1|salt|hash</c> names (HMAC-SHA1 of the name keyed by the salt), and the
/// <c>@revoked</c> and <c>@cert-authority</c> markers.
/// </summary>
internal static class KnownHostsFile
{
    public static IReadOnlyList<KnownHostsEntry> Parse(string text)
    {
        var entries = new List<KnownHostsEntry>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var marker = KnownHostsMarker.None;
            var first = 0;
            if (fields[0].StartsWith('@'))
            {
                marker = fields[0] switch
                {
                    "@revoked" => KnownHostsMarker.Revoked,
                    "@cert-authority" => KnownHostsMarker.CertAuthority,
                    _ => throw new FormatException($"known_hosts line {i + 1}: unknown marker {fields[0]}"),
                };
                first = 1;
            }

            if (fields.Length < first + 3)
            {
                // OpenSSH skips malformed lines too; a broken line must not hide the others.
                continue;
            }

            byte[] blob;
            try
            {
                blob = Convert.FromBase64String(fields[first + 2]);
            }
            catch (FormatException)
            {
                continue;
            }

            entries.Add(new KnownHostsEntry(marker, fields[first], fields[first + 1], blob, i + 1));
        }

        return entries;
    }

    public static IReadOnlyList<KnownHostsEntry> Load(string path) => Parse(ReadText(path));

    /// <summary>
    /// The file's text; empty when it does not exist, is a directory, or its size is 0 (read by <see cref="BoundedFile"/>, links
    /// followed). A device or a FIFO also has size 0 and is not opened: /dev/zero would be read for ever, and a FIFO waits for a writer.
    /// </summary>
    /// <exception cref="IOException">The file is larger than <see cref="Core.Config.Parsing.LocalFileChecks.MaxKnownHostsBytes"/>.</exception>
    private static string ReadText(string path)
    {
        const long max = Core.Config.Parsing.LocalFileChecks.MaxKnownHostsBytes;
        if (Directory.Exists(path))
        {
            return string.Empty;
        }

        try
        {
            return Encoding.UTF8.GetString(BoundedFile.ReadAllBytes(path, max));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return string.Empty;
        }
        catch (FileTooLargeException e)
        {
            throw new IOException($"the known_hosts file {path} is {e.Size} bytes, larger than any known_hosts file Bootstrap reads ({FileTooLargeException.Bound(max)})", e);
        }
    }

    /// <summary>The name OpenSSH looks up: <c>host</c> on port 22, <c>[host]:port</c> otherwise.</summary>
    public static string HostName(string address, int port) => port == 22 ? address : $"[{address}]:{port}";

    /// <summary>Whether an entry's pattern list names this host (a negated match excludes it).</summary>
    public static bool Matches(string patterns, string address, int port)
    {
        var name = HostName(address, port);
        if (patterns.StartsWith("|1|", StringComparison.Ordinal))
        {
            return MatchesHashed(patterns, name);
        }

        var matched = false;
        foreach (var raw in patterns.Split(','))
        {
            var negated = raw.StartsWith('!');
            var pattern = negated ? raw[1..] : raw;
            if (Glob(pattern.ToLowerInvariant(), name.ToLowerInvariant()))
            {
                if (negated)
                {
                    return false;
                }

                matched = true;
            }
        }

        return matched;
    }

    /// <summary>A plain (readable) line for a key seen for the first time.</summary>
    public static string FormatLine(string address, int port, byte[] keyBlob) =>
        $"{HostName(address, port)} {HostKeyFingerprint.KeyType(keyBlob)} {Convert.ToBase64String(keyBlob)}";

    /// <summary>A hashed line, as <c>ssh-keygen -H</c> writes them.</summary>
    public static string FormatHashedLine(string address, int port, byte[] keyBlob, byte[] salt) =>
        $"|1|{Convert.ToBase64String(salt)}|{Convert.ToBase64String(HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(HostName(address, port))))} "
        + $"{HostKeyFingerprint.KeyType(keyBlob)} {Convert.ToBase64String(keyBlob)}";

    public static void Append(string path, string line)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        var existing = ReadText(path);
        var separator = existing.Length > 0 && !existing.EndsWith('\n') ? "\n" : string.Empty;
        File.AppendAllText(path, separator + line + "\n");
    }

    private static bool MatchesHashed(string field, string name)
    {
        var parts = field.Split('|');
        if (parts.Length != 4)
        {
            return false;
        }

        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var expected = Convert.FromBase64String(parts[3]);
            return CryptographicOperations.FixedTimeEquals(HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(name)), expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool Glob(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
