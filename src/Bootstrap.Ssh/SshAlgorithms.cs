using Renci.SshNet;

namespace Bootstrap.Ssh;

/// <summary>
/// What a connection offers to encrypt and authenticate its packets, best first (the server takes the first of ours it
/// also accepts). SSH.NET's own offer starts with AES-CTR and the encrypt-and-MAC <c>hmac-sha2-256</c>, and ends with CBC
/// modes and 3DES. Ours: AES-GCM first (an AEAD, and the cheapest on both sides: .NET's AesGcm and OpenSSH's use the CPU's
/// AES instructions), then AES-CTR with encrypt-then-MAC preferred, then chacha20-poly1305 (an AEAD too, but SSH.NET's is
/// managed code, about twice AES-CTR's CPU per byte). CBC and 3DES are not offered at all: OpenSSH's defaults do not accept
/// them, so nothing weaker than what a default OpenSSH server takes is ever negotiated. Bulk uploads (the binaries) are
/// bound by CPU on small machines, where the cipher is most of the client's work (scripts/bench/upload prints each one's).
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

    /// <summary>Narrows and orders <paramref name="connection"/>'s offer to <see cref="Ciphers"/> and <see cref="Macs"/>.</summary>
    public static ConnectionInfo Prefer(ConnectionInfo connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
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
