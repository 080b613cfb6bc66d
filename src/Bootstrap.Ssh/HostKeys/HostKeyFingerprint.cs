using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Bootstrap.Ssh.HostKeys;

/// <summary>OpenSSH's SHA256 fingerprint (<c>SHA256:</c> + unpadded base64) and key type of a public key blob.</summary>
internal static class HostKeyFingerprint
{
    public static string Sha256(byte[] keyBlob) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(keyBlob)).TrimEnd('=');

    /// <summary>The key type a wire-format public key names first, e.g. <c>ssh-ed25519</c>.</summary>
    public static string KeyType(byte[] keyBlob)
    {
        if (keyBlob.Length < 4)
        {
            return "unknown";
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(keyBlob);
        return length <= (uint)(keyBlob.Length - 4) ? Encoding.ASCII.GetString(keyBlob, 4, (int)length) : "unknown";
    }

    /// <summary>Accepts <c>SHA256:abc</c> or <c>abc</c>, with or without base64 padding.</summary>
    public static string Normalize(string fingerprint)
    {
        var value = fingerprint.Trim();
        if (value.StartsWith("SHA256:", StringComparison.OrdinalIgnoreCase))
        {
            value = value["SHA256:".Length..];
        }

        return "SHA256:" + value.TrimEnd('=');
    }
}
