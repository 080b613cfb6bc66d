using Serilog;

namespace Bootstrap.Ssh.HostKeys;

/// <summary>
/// Decides whether a presented host key is trusted. There is no "off": a key is trusted when it
/// matches a pinned fingerprint or a known_hosts entry; a host with pins or entries that presents
/// any other key has changed and is refused, naming expected and presented fingerprints; an unknown
/// host is refused unless <see cref="AcceptNew"/> is set, in which case its key is recorded in the
/// known_hosts file (trust on first use) and trusted from then on. Thread-safe.
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
            var known = KnownHostsPath is null ? [] : KnownHostsFile.Load(KnownHostsPath)
                .Where(e => e.Marker != KnownHostsMarker.CertAuthority && KnownHostsFile.Matches(e.HostPatterns, address, port))
                .ToList();

            if (known.Any(e => e.Marker == KnownHostsMarker.Revoked && e.KeyBlob.AsSpan().SequenceEqual(keyBlob)))
            {
                throw new HostKeyVerificationException(host,
                    $"{host}: the host key {presented} ({keyType}) presented by {where} is marked @revoked in {KnownHostsPath}.",
                    presented, []);
            }

            var trusted = known.Where(e => e.Marker == KnownHostsMarker.None).ToList();
            var pins = pinnedFingerprints.Select(HostKeyFingerprint.Normalize).ToList();
            if (pins.Contains(presented, StringComparer.Ordinal) || trusted.Any(e => e.KeyBlob.AsSpan().SequenceEqual(keyBlob)))
            {
                _log.Debug("{Host}: host key {Fingerprint} ({KeyType}) trusted", host, presented, keyType);
                return;
            }

            var expected = pins.Concat(trusted.Select(e => e.Fingerprint)).Distinct(StringComparer.Ordinal).ToList();
            if (expected.Count > 0)
            {
                var sources = string.Join(", ", trusted.Select(e => $"{KnownHostsPath}:{e.LineNumber}").Concat(pins.Count > 0 ? ["pinned in the cluster file"] : []));
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
}
