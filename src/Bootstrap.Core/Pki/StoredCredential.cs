using System.Text;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;

namespace Bootstrap.Core.Pki;

/// <summary>A certificate and its private key as found in the state directory, with the PEM text they were read from.</summary>
internal sealed record StoredCredential(X509Certificate Certificate, AsymmetricCipherKeyPair Key, string CertificatePem, string KeyPem)
{
    public static StoredCredential Create(X509Certificate certificate, AsymmetricCipherKeyPair key) =>
        new(certificate, key, Pem.Encode(Pem.Certificate, certificate.GetEncoded()), PrivateKeys.ToPem(key.Private));

    /// <summary>Parses PEM texts; null when either is not a certificate or an unencrypted private key.</summary>
    public static StoredCredential? TryParse(string certificatePem, string keyPem, string source)
    {
        var certificate = TryParseCertificate(Encoding.ASCII.GetBytes(certificatePem));
        if (certificate is null)
        {
            return null;
        }

        try
        {
            return new StoredCredential(certificate, PrivateKeys.Parse(Encoding.ASCII.GetBytes(keyPem), source), certificatePem, keyPem);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    // Records print every property; this one must never print the key.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Subject = ").Append(Certificate.SubjectDN).Append(", Key = ").Append(Remote.SecretRedactor.Mask);
        return true;
    }

    public static X509Certificate? TryParseCertificate(byte[] pem)
    {
        try
        {
            return new X509CertificateParser().ReadCertificate(pem);
        }
#pragma warning disable CA1031 // Any parser failure means "not a certificate".
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }
}
