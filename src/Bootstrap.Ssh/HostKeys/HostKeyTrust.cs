using Serilog;

namespace Bootstrap.Ssh.HostKeys;

/// <summary>
/// Decides whether a presented host key is trusted. There is no "off". When fingerprints are pinned
/// for the host, its key must match one of them, whatever known_hosts says (a key listed there but
/// not pinned is refused; a revoked key is refused even when pinned). Without pins a key is trusted
/// when it matches a known_hosts entry; a host with entries that presents any other key has changed
/// and is refused, naming expected and presented fingerprints; an unknown host is refused unless
/// <see cref="AcceptNew"/> is set, in which case its key is recorded in the known_hosts file (trust on
/// first use) and trusted from then on. Thread-safe.
/// </summary>
public sealed class HostKeyTrust
{
    private readonly Lock _fileLock = new();
    private readonly ILogger _log;

    public HostKeyTrust(string? knownHostsPath, bool acceptNew, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (acceptNew && knownHostsPath is null)
        {
            throw new ArgumentException("Accepting new host keys needs a known_hosts file to record them in.", nameof(acceptNew));
        }

        KnownHostsPath = knownHostsPath;
        AcceptNew = acceptNew;
        _log = logger;
    }

    public string? KnownHostsPath { get; }

    public bool AcceptNew { get; }

    /// <summary>The user's <c>~/.ssh/known_hosts</c>.</summary>
    public static string DefaultKnownHostsPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh", "known_hosts");

    /// <summary>Returns when the key is trusted; throws <see cref="HostKeyVerificationException"/> otherwise.</summary>
    public void Verify(string host, string address, int port, byte[] keyBlob, IReadOnlyList<string> pinnedFingerprints)
    {
        ArgumentNullException.ThrowIfNull(keyBlob);
        ArgumentNullException.ThrowIfNull(pinnedFingerprints);
        var presented = HostKeyFingerprint.Sha256(keyBlob);
        var keyType = HostKeyFingerprint.KeyType(keyBlob);
        var where = KnownHostsFile.HostName(address, port);

        lock (_fileLock)
        {
            var known = KnownHostsPath is null ? [] : Load(host, presented, KnownHostsPath)
                .Where(e => e.Marker != KnownHostsMarker.CertAuthority && KnownHostsFile.Matches(e.HostPatterns, address, port))
                .ToList();

            if (known.Any(e => e.Marker == KnownHostsMarker.Revoked && e.KeyBlob.AsSpan().SequenceEqual(keyBlob)))
            {
                throw new HostKeyVerificationException(host,
                    $"{host}: the host key {presented} ({keyType}) presented by {where} is marked @revoked in {KnownHostsPath}.",
                    presented, []);
            }

            var pins = pinnedFingerprints.Select(HostKeyFingerprint.Normalize).Distinct(StringComparer.Ordinal).ToList();
            if (pins.Count > 0)
            {
                // Pins are the stronger statement: known_hosts may hold an older or a planted key.
                if (!pins.Contains(presented, StringComparer.Ordinal))
                {
                    throw new HostKeyVerificationException(host,
                        $"{host}: HOST KEY CHANGED for {where}: expected {string.Join(" or ", pins)} (pinned in the cluster file), "
                        + $"presented {presented} ({keyType}). Someone may be intercepting the connection, or the host was reinstalled; "
                        + "if so, pin the new fingerprint and connect again.",
                        presented, pins);
                }

                _log.Debug("{Host}: host key {Fingerprint} ({KeyType}) matches a pinned fingerprint", host, presented, keyType);
                return;
            }

            var trusted = known.Where(e => e.Marker == KnownHostsMarker.None).ToList();
            if (trusted.Any(e => e.KeyBlob.AsSpan().SequenceEqual(keyBlob)))
            {
                _log.Debug("{Host}: host key {Fingerprint} ({KeyType}) trusted", host, presented, keyType);
                return;
            }

            var expected = trusted.Select(e => e.Fingerprint).Distinct(StringComparer.Ordinal).ToList();
            if (expected.Count > 0)
            {
                var sources = string.Join(", ", trusted.Select(e => $"{KnownHostsPath}:{e.LineNumber}"));
                throw new HostKeyVerificationException(host,
                    $"{host}: HOST KEY CHANGED for {where}: expected {string.Join(" or ", expected)} ({sources}), "
                    + $"presented {presented} ({keyType}). Someone may be intercepting the connection, or the host was reinstalled; "
                    + "if so, remove the old key and connect again.",
                    presented, expected);
            }

            if (!AcceptNew)
            {
                throw new HostKeyVerificationException(host,
                    $"{host}: unknown host key {presented} ({keyType}) presented by {where}"
                    + (KnownHostsPath is null ? "" : $", not in {KnownHostsPath}")
                    + "; pin its fingerprint or connect once with --accept-new.",
                    presented, []);
            }

            KnownHostsFile.Append(KnownHostsPath!, KnownHostsFile.FormatLine(address, port, keyBlob));
            _log.Warning("{Host}: first connection; recorded host key {Fingerprint} ({KeyType}) for {Address} in {KnownHosts}",
                host, presented, keyType, where, KnownHostsPath);
        }
    }

    /// <summary>The known_hosts entries; a file that cannot be read refuses the key, naming the file and why.</summary>
    private static IReadOnlyList<KnownHostsEntry> Load(string host, string presented, string path)
    {
        try
        {
            return KnownHostsFile.Load(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HostKeyVerificationException(host, $"{host}: the host key {presented} cannot be checked: {e.Message}", presented, []);
        }
    }
}
