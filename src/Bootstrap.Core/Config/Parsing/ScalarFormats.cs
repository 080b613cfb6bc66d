using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Bootstrap.Core.Config.Parsing;

/// <summary>Strict parsers for the scalar formats of the cluster file. Each returns null when the text is not valid.</summary>
internal static partial class ScalarFormats
{
    public const string AddressExpectation = "an IPv4 or IPv6 address";
    public const string CidrExpectation = "a CIDR such as 10.244.0.0/16";
    public const string DurationExpectation = "a duration such as 8760h, 365d or 90s (units d, h, m, s)";
    public const string HostExpectation = "an IP address or a DNS name";
    public const string ImageRepositoryExpectation =
        "a registry with an optional path, such as k8s.gcr.io or registry.example.com:5000/kubernetes (no tag, no trailing slash)";

    /// <summary>
    /// An address in its usual textual form only: four decimal octets for IPv4 (so "10.1" or
    /// "010.0.0.1" are rejected, unlike <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>), or IPv6 without brackets, zone or spaces.
    /// </summary>
    public static IPAddress? Address(string text)
    {
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
                && IPAddress.TryParse(text, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 ? v6 : null;
        }

        var parts = text.Split('.');
        if (parts.Length != 4 || parts.Any(p => !Ipv4Octet().IsMatch(p)))
        {
            return null;
        }

        return IPAddress.TryParse(text, out var v4) ? v4 : null;
    }

    /// <summary>A network written ADDRESS/PREFIX. <paramref name="problem"/> says what is wrong when null is returned.</summary>
    public static IPNetwork? Cidr(string text, out string? problem)
    {
        problem = null;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var address = slash > 0 ? Address(text[..slash]) : null;
        if (address is null
            || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)
            || prefix > (address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128))
        {
            problem = $"expected {CidrExpectation}; found {InputQuote.Quote(text)}";
            return null;
        }

        var network = new IPNetwork(Mask(address, prefix), prefix);
        if (!network.BaseAddress.Equals(address))
        {
            problem = $"{InputQuote.Quote(text)} has host bits set; expected the network address, did you mean \"{network}\"?";
            return null;
        }

        return network;
    }

    /// <summary>Go-style durations without fractions: 87600h, 365d, 1h30m, 10s. Zero is rejected.</summary>
    public static TimeSpan? Duration(string text)
    {
        var match = DurationPattern().Match(text);
        if (!match.Success || text.Length == 0)
        {
            return null;
        }

        long Part(string group) => match.Groups[group].Success
            ? long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture)
            : 0;

        try
        {
            var value = TimeSpan.FromDays(Part("d")) + TimeSpan.FromHours(Part("h"))
                + TimeSpan.FromMinutes(Part("m")) + TimeSpan.FromSeconds(Part("s"));
            return value > TimeSpan.Zero ? value : null;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    /// <summary>An RFC 1123 label: lowercase letters, digits and '-', 1–63 characters, alphanumeric at both ends.</summary>
    public static bool IsDnsLabel(string text) => DnsLabel().IsMatch(text);

    /// <summary>
    /// An RFC 1123 subdomain: dot-separated labels, at most 253 characters, and a last label that is not all
    /// digits (RFC 3696 2), so a mistyped address such as 10.0.0.300 is not taken for a name.
    /// </summary>
    public static bool IsDnsName(string text)
    {
        if (text.Length > 253)
        {
            return false;
        }

        var labels = text.Split('.');
        return labels.All(IsDnsLabel) && !labels[^1].All(char.IsAsciiDigit);
    }

    /// <summary>An IP address (<see cref="Address"/>) or a DNS name (<see cref="IsDnsName"/>).</summary>
    public static bool IsHost(string text) => Address(text) is not null || IsDnsName(text);

    /// <summary>
    /// For text of dot-separated numbers that is not an IPv4 address, why not, to append to a message:
    /// <c> (it looks like an IPv4 address, but 300 is over 255)</c>. Empty for anything else.
    /// </summary>
    public static string NotAnAddressHint(string text)
    {
        if (!DottedNumbers().IsMatch(text) || Address(text) is not null)
        {
            return string.Empty;
        }

        static bool OverAByte(string number)
        {
            var digits = number.TrimStart('0');
            return digits.Length > 3 || (digits.Length > 0 && int.Parse(digits, CultureInfo.InvariantCulture) > 255);
        }

        var parts = text.Split('.');
        var reason = parts.Length != 4
            ? $"has {parts.Length} numbers instead of 4"
            : parts.FirstOrDefault(OverAByte) is { } big
                ? $"{InputQuote.Cap(big)} is over 255"
                : $"{parts.First(p => p.Length > 1 && p[0] == '0')} has a leading zero";
        return $" (it looks like an IPv4 address, but {reason})";
    }

    public static KubernetesVersion? Version(string text)
    {
        var match = VersionPattern().Match(text);
        if (!match.Success)
        {
            return null;
        }

        try
        {
            return new KubernetesVersion(
                int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
                int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture),
                int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture),
                match.Groups[4].Value);
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    /// <summary>An OpenSSH SHA256 fingerprint as <c>ssh-keygen -lf</c> prints it.</summary>
    public static bool IsHostKeyFingerprint(string text) => Fingerprint().IsMatch(text);

    public static bool IsSha256Hex(string text) => Sha256Hex().IsMatch(text);

    /// <summary>
    /// Why <paramref name="text"/> cannot be a systemd calendar event (<c>OnCalendar=</c>), or null. Only the characters
    /// systemd's calendar syntax uses are allowed (so the value cannot change the unit's meaning); systemd itself
    /// checks the expression on the hosts (<c>systemd-analyze calendar</c>) before the timer is written.
    /// </summary>
    public static string? CalendarEventProblem(string text)
    {
        const string expectation = "a systemd calendar event (OnCalendar=) such as daily, hourly or \"*-*-* 02:30:00\"";
        return text.Length > 100 ? $"expected {expectation}; found {InputQuote.Quote(text)}, longer than 100 characters"
            : !CalendarEvent().IsMatch(text) ? $"expected {expectation}; found {InputQuote.Quote(text)}: only letters, digits, spaces and * : / , . ~ + - are allowed"
            : null;
    }

    /// <summary>Why <paramref name="path"/> cannot be the backup directory Bootstrap owns (0700 root) on the etcd hosts, or null.</summary>
    public static string? BackupDirectoryProblem(string path)
    {
        const string expectation = "an absolute directory of its own on the etcd hosts, such as /var/lib/etcd-backup";
        string[] systemDirectories =
        [
            "/var/lib", "/var/log", "/var/tmp", "/var/cache", "/var/spool", "/var/mail", "/usr/local", "/usr/lib", "/usr/bin", "/usr/sbin", "/usr/share",
            "/etc/systemd", "/etc/ssh", "/home",
        ];
        string[] systemTrees = ["/var/lib/etcd", "/etc/kubernetes", "/proc", "/sys", "/dev", "/run", "/boot"];
        var components = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return path.Length > 256 || !AbsolutePath().IsMatch(path) || components.Any(c => c is "." or "..")
                ? $"expected {expectation} (letters, digits, . _ - and /, at most 256 characters); found {InputQuote.Quote(path)}"
            : components.Length < 2 || systemDirectories.Contains(path, StringComparer.Ordinal)
                ? $"expected {expectation}; found {InputQuote.Quote(path)}, a system directory that Bootstrap would make root's 0700"
            : systemTrees.FirstOrDefault(t => path == t || path.StartsWith(t + "/", StringComparison.Ordinal)) is { } tree
                ? $"expected {expectation}; found {InputQuote.Quote(path)}, which is {(path == tree ? string.Empty : "under ")}{tree}"
                    + (tree == "/var/lib/etcd" ? " (etcd's data directory: a restore moves it aside with the snapshots in it)" : string.Empty)
            : null;
    }

    /// <summary>What an image name may start with before <c>/pause:3.2</c>: a registry host (with port) and lowercase path components.</summary>
    public static bool IsImageRepository(string text) => text.Length <= 255 && ImageRepository().IsMatch(text);

    /// <summary>The first address of a network with every host bit cleared.</summary>
    public static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bitsHere = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bitsHere));
        }

        return new IPAddress(bytes);
    }

    /// <summary>The last address of an IPv4 network (its broadcast address).</summary>
    public static IPAddress LastAddress(IPNetwork network)
    {
        var bytes = network.BaseAddress.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bitsHere = Math.Clamp(network.PrefixLength - (i * 8), 0, 8);
            bytes[i] |= (byte)(0xFF >> bitsHere);
        }

        return new IPAddress(bytes);
    }

    public static bool Overlap(IPNetwork a, IPNetwork b) =>
        a.BaseAddress.AddressFamily == b.BaseAddress.AddressFamily
        && (a.Contains(b.BaseAddress) || b.Contains(a.BaseAddress));

    [GeneratedRegex("^[0-9]+(\\.[0-9]+)+$")]
    private static partial Regex DottedNumbers();

    [GeneratedRegex("^(0|[1-9][0-9]{0,2})$")]
    private static partial Regex Ipv4Octet();

    [GeneratedRegex("^(?:(?<d>[0-9]+)d)?(?:(?<h>[0-9]+)h)?(?:(?<m>[0-9]+)m)?(?:(?<s>[0-9]+)s)?$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^v([0-9]{1,4})\\.([0-9]{1,4})\\.([0-9]{1,4})(?:-([0-9A-Za-z]+(?:\\.[0-9A-Za-z]+)*))?$")]
    private static partial Regex VersionPattern();

    [GeneratedRegex("^SHA256:[A-Za-z0-9+/]{43}$")]
    private static partial Regex Fingerprint();

    [GeneratedRegex("^[0-9a-f]{64}$", RegexOptions.IgnoreCase)]
    private static partial Regex Sha256Hex();

    [GeneratedRegex("^[A-Za-z0-9*:/,.~+-]+( [A-Za-z0-9*:/,.~+-]+)*$")]
    private static partial Regex CalendarEvent();

    [GeneratedRegex("^(/[A-Za-z0-9._-]+)+$")]
    private static partial Regex AbsolutePath();

    // The docker reference grammar's domain (with port) and path components, the repository part of an image name.
    [GeneratedRegex("^[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::[0-9]{1,5})?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex ImageRepository();
}
