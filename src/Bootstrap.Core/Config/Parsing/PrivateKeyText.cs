using System.Text;
using System.Text.RegularExpressions;

namespace Bootstrap.Core.Config.Parsing;

/// <summary>
/// Whether the start of a file is an SSH private key in a format SSH.NET loads (OpenSSH, PEM: PKCS#1, SEC1,
/// PKCS#8 plain or encrypted, ssh.com, PuTTY), judged from its armor and base64 body only: an encrypted key
/// is a private key too, and is never decrypted here.
/// </summary>
internal static partial class PrivateKeyText
{
    private static readonly string[] PrivateLabels =
    [
        "OPENSSH PRIVATE KEY", "RSA PRIVATE KEY", "DSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY",
        "SSH2 ENCRYPTED PRIVATE KEY",
    ];

    private static readonly byte[] OpenSshMagic = "openssh-key-v1\0"u8.ToArray();

    /// <summary>What the content is instead of a private key, e.g. "is a public key …"; null for a private key.</summary>
    public static string? Problem(ReadOnlySpan<byte> head)
    {
        if (head.Contains((byte)0))
        {
            return "is a binary file, not a private key";
        }

        var text = Encoding.UTF8.GetString(head).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (text.StartsWith("PuTTY-User-Key-File-", StringComparison.Ordinal))
        {
            return null;
        }

        if (PublicKeyLine().IsMatch(text))
        {
            return "is a public key (the .pub half of a key pair), not the private key";
        }

        var lines = text.Split('\n').Select(l => l.TrimEnd('\r', ' ', '\t')).ToArray();
        var begin = Armor().Match(lines[0]);
        if (!begin.Success || begin.Groups["edge"].Value != "BEGIN")
        {
            return "does not hold a private key (no \"-----BEGIN … PRIVATE KEY-----\" line)";
        }

        var label = begin.Groups["label"].Value;
        if (!PrivateLabels.Contains(label, StringComparer.Ordinal))
        {
            return label.Contains("PUBLIC KEY", StringComparison.Ordinal) ? "holds a public key, not the private key"
                : label == "CERTIFICATE" ? "holds a certificate, not a private key"
                : $"holds a PEM block labelled {InputQuote.Quote(label)}, not a private key";
        }

        var end = Array.FindIndex(lines, 1, l => Armor().Match(l) is { Success: true } m && m.Groups["edge"].Value == "END" && m.Groups["label"].Value == label);
        if (end < 0)
        {
            return $"is cut short: it has no \"END {label}\" line";
        }

        // RFC 1421 headers (Proc-Type, DEK-Info of an encrypted PEM key) and ssh.com's Comment: are not base64.
        var body = string.Concat(lines[1..end].Where(l => !l.Contains(':', StringComparison.Ordinal)));
        var bytes = new byte[body.Length];
        if (body.Length == 0 || !Convert.TryFromBase64String(body, bytes, out var length))
        {
            return $"is damaged: the body of its {label} block is not base64";
        }

        return label == "OPENSSH PRIVATE KEY" && !bytes.AsSpan(0, length).StartsWith(OpenSshMagic)
            ? "is damaged: its OPENSSH PRIVATE KEY block does not start with openssh-key-v1"
            : null;
    }

    // "-----BEGIN RSA PRIVATE KEY-----", and ssh.com's "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----".
    [GeneratedRegex("^-{4,5} ?(?<edge>BEGIN|END) (?<label>[A-Z0-9 ]+?) ?-{4,5}$")]
    private static partial Regex Armor();

    // An OpenSSH public key line: "ssh-ed25519 AAAAC3…", "ecdsa-sha2-nistp256 AAAA…", "sk-ssh-ed25519@openssh.com AAAA…".
    [GeneratedRegex("^(ssh|ecdsa|sk)-[A-Za-z0-9@.-]+ AAAA")]
    private static partial Regex PublicKeyLine();
}
