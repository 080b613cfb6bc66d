namespace Bootstrap.Ssh.HostKeys;

internal enum KnownHostsMarker
{
    None,
    Revoked,
    CertAuthority,
}

/// <summary>One line of a known_hosts file.</summary>
internal sealed record KnownHostsEntry(KnownHostsMarker Marker, string HostPatterns, string KeyType, byte[] KeyBlob, int LineNumber)
{
    public string Fingerprint => HostKeyFingerprint.Sha256(KeyBlob);
}
