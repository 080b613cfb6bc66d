using Bootstrap.Core.Pki;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;

namespace Bootstrap.Core.Identity;

/// <summary>A file of the cluster's identity: where the cluster state keeps it and where hosts have it.</summary>
internal sealed record IdentityFile(string StatePath, string HostPath)
{
    public bool IsCertificate => HostPath.EndsWith(".crt", StringComparison.Ordinal);

    private bool IsPrivateKey => HostPath.EndsWith(".key", StringComparison.Ordinal);

    /// <summary>
    /// What is wrong with <paramref name="content"/> as this file, whatever a host holds: not the kind of PEM it must be (a
    /// certificate, an unencrypted private key, a PKIX public key), or a key that is not the one of the certificate beside it
    /// in <paramref name="state"/>. Null when nothing shows: it is then another cluster's file, not a damaged one.
    /// </summary>
    public string? Damage(byte[] content, IReadOnlyDictionary<string, byte[]> state)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(state);
        if (IsCertificate)
        {
            return StoredCredential.TryParseCertificate(content) is null ? "is not a PEM certificate at all" : null;
        }

        if (IsPrivateKey)
        {
            if (PrivateKeys.KeyShape.Of(content) is not { } shape)
            {
                return "is not an unencrypted RSA or ECDSA private key in PEM form";
            }

            var certificatePath = StatePath[..^".key".Length] + ".crt";
            return state.TryGetValue(certificatePath, out var certificate)
                && StoredCredential.TryParseCertificate(certificate) is { } parsed && shape.Matches(parsed) == false
                ? $"is not the private key of the state's {certificatePath}"
                : null;
        }

        return IsPublicKey(content) ? null : "is not a PEM public key at all";
    }

    private static bool IsPublicKey(byte[] content)
    {
        try
        {
            using var reader = new StringReader(System.Text.Encoding.ASCII.GetString(content));
            var block = new Org.BouncyCastle.Utilities.IO.Pem.PemReader(reader).ReadPemObject();
            return block?.Type == Pem.PublicKey && SubjectPublicKeyInfo.GetInstance(Asn1Object.FromByteArray(block.Content)) is not null;
        }
#pragma warning disable CA1031 // Any parser failure means "not a public key".
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }
}
