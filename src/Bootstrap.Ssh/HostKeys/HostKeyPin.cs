namespace Bootstrap.Ssh.HostKeys;

/// <summary>
/// The host key one host presented when the run first connected to it. Every later connection to the host in the
/// run (the reconnections after its idle connection was closed) must present that same key,
/// on top of <see cref="HostKeyTrust"/>'s checks: never weaker than the first connection, and a key that changes
/// during a run is refused even when known_hosts or the pins would also accept the new one. Thread-safe.
/// </summary>
internal sealed class HostKeyPin
{
    private string? _fingerprint;

    /// <summary>The fingerprint of the key first trusted, or null before the first connection got that far.</summary>
    public string? Fingerprint => Volatile.Read(ref _fingerprint);

    /// <summary>Called once <see cref="HostKeyTrust"/> accepted <paramref name="keyBlob"/>: the first key is kept, any other refused.</summary>
    public void Check(string host, string address, int port, byte[] keyBlob)
    {
        var presented = HostKeyFingerprint.Sha256(keyBlob);
        var first = Interlocked.CompareExchange(ref _fingerprint, presented, null);
        if (first is not null && !string.Equals(first, presented, StringComparison.Ordinal))
        {
            throw new HostKeyVerificationException(host,
                $"{host}: HOST KEY CHANGED for {KnownHostsFile.HostName(address, port)} during this run: it presented {first} when first connected, "
                + $"now {presented} ({HostKeyFingerprint.KeyType(keyBlob)}). Someone may be intercepting the connection, or the host was reinstalled meanwhile.",
                presented, [first]);
        }
    }
}
