using Renci.SshNet;

namespace Bootstrap.Ssh;

/// <summary>
/// What a connection offers to agree on keys, to verify the host and to encrypt and authenticate its packets, best first (the server takes the first of ours it
/// also accepts). SSH.NET's own offer starts with AES-CTR and the encrypt-and-MAC <c>hmac-sha2-256</c>, and ends with CBC
/// modes and 3DES. Ours: AES-GCM first (an AEAD, and the cheapest on both sides: .NET's AesGcm and OpenSSH's use the CPU's
/// AES instructions), then AES-CTR with encrypt-then-MAC preferred, then chacha20-poly1305 (an AEAD too, but SSH.NET's is
/// managed code, about twice AES-CTR's CPU per byte). CBC and 3DES are not offered at all: OpenSSH's defaults do not accept
/// them, so nothing weaker than what a default OpenSSH server takes is ever negotiated. Bulk uploads (the binaries) are
/// bound by CPU on small machines, where the cipher is most of the client's work (scripts/bench/upload prints each one's).
/// <para>
/// Key exchange and host-key signatures are narrowed the same way, to what OpenSSH 9 offers by default, in its order:
/// SSH.NET also offers the SHA-1 Diffie-Hellman groups (among them the 1024-bit group 1) and <c>ssh-rsa</c> host-key
/// signatures (SHA-1), which an OpenSSH 9 sshd does not enable by default (<c>sshd -T</c> lists neither). The post-quantum
/// hybrids stay first: a recorded session that carried a CA key or a token stays unreadable. They cost CPU on our side
/// (sntrup761x25519, which OpenSSH 9.0–9.8 servers pick, is BouncyCastle's managed code: its key pair and decapsulation take
/// about 70 ms per connection on the lab's cores; a no-op init of the 7-host lab took 3.4 s with curve25519 first, 3.7 s
/// without, and 0.5 s less of the CLI's CPU); a host that offers only classic exchanges gets curve25519.
/// </para>
/// </summary>
internal static class SshAlgorithms
{
    /// <summary>Ciphers, best first; only those SSH.NET supports on this platform are offered.</summary>
    public static readonly IReadOnlyList<string> Ciphers =
    [
        "aes128-gcm@openssh.com",
        "aes256-gcm@openssh.com",
        "aes128-ctr",
        "aes192-ctr",
        "aes256-ctr",
        "chacha20-poly1305@openssh.com",
    ];

    /// <summary>MACs for the non-AEAD ciphers, best first: encrypt-then-MAC before the older encrypt-and-MAC.</summary>
    public static readonly IReadOnlyList<string> Macs =
    [
        "hmac-sha2-256-etm@openssh.com",
        "hmac-sha2-512-etm@openssh.com",
        "hmac-sha2-256",
        "hmac-sha2-512",
        "hmac-sha1-etm@openssh.com",
        "hmac-sha1",
    ];

    /// <summary>Key exchanges, best first: OpenSSH 9.9's default list (post-quantum hybrids, then elliptic curves, then SHA-2 Diffie-Hellman groups).</summary>
    public static readonly IReadOnlyList<string> KeyExchanges =
    [
        "mlkem768x25519-sha256",
        "sntrup761x25519-sha512",
        "sntrup761x25519-sha512@openssh.com",
        "curve25519-sha256",
        "curve25519-sha256@libssh.org",
        "ecdh-sha2-nistp256",
        "ecdh-sha2-nistp384",
        "ecdh-sha2-nistp521",
        "diffie-hellman-group-exchange-sha256",
        "diffie-hellman-group16-sha512",
        "diffie-hellman-group18-sha512",
        "diffie-hellman-group14-sha256",
    ];

    /// <summary>Host-key signature algorithms, best first: OpenSSH 9's defaults, RSA keys only with SHA-2 signatures.</summary>
    public static readonly IReadOnlyList<string> HostKeys =
    [
        "ssh-ed25519-cert-v01@openssh.com",
        "ecdsa-sha2-nistp256-cert-v01@openssh.com",
        "ecdsa-sha2-nistp384-cert-v01@openssh.com",
        "ecdsa-sha2-nistp521-cert-v01@openssh.com",
        "rsa-sha2-512-cert-v01@openssh.com",
        "rsa-sha2-256-cert-v01@openssh.com",
        "ssh-ed25519",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "rsa-sha2-512",
        "rsa-sha2-256",
    ];

    /// <summary>Narrows and orders <paramref name="connection"/>'s offer to <see cref="KeyExchanges"/>, <see cref="HostKeys"/>, <see cref="Ciphers"/> and <see cref="Macs"/>.</summary>
    public static ConnectionInfo Prefer(ConnectionInfo connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        Reorder(connection.KeyExchangeAlgorithms, KeyExchanges);
        Reorder(connection.HostKeyAlgorithms, HostKeys);
        Reorder(connection.Encryptions, Ciphers);
        Reorder(connection.HmacAlgorithms, Macs);
        return connection;
    }

    /// <summary>Keeps the entries of <paramref name="offer"/> named in <paramref name="preference"/>, in its order.</summary>
    internal static void Reorder<T>(IDictionary<string, T> offer, IReadOnlyList<string> preference)
    {
        var kept = preference.Where(offer.ContainsKey).Select(name => KeyValuePair.Create(name, offer[name])).ToList();
        if (kept.Count == 0)
        {
            throw new InvalidOperationException($"SSH.NET supports none of {string.Join(", ", preference)}");
        }

        // Cleared and refilled: SSH.NET offers the entries in the dictionary's order.
        offer.Clear();
        foreach (var (name, value) in kept)
        {
            offer.Add(name, value);
        }
    }
}
