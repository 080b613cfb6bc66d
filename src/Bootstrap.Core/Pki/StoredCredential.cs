using System.Text;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;

namespace Bootstrap.Core.Pki;

/// <summary>
/// A certificate and its private key as found in the state directory, with the PEM text they were read from.
/// BouncyCastle's key pair is built only when something needs it: building an RSA key runs BouncyCastle's modulus
/// checks (tens of milliseconds each), which a run that only compares stored credentials never needs, and an RSA
/// key signs through the platform from its PEM (<see cref="Signer"/>) without it.
/// </summary>
internal sealed class StoredCredential
{
    private readonly Lazy<AsymmetricCipherKeyPair> _key;
    private readonly PrivateKeys.KeyShape _shape;

    private StoredCredential(X509Certificate certificate, Lazy<AsymmetricCipherKeyPair> key, PrivateKeys.KeyShape shape, string certificatePem, string keyPem)
    {
        Certificate = certificate;
        _key = key;
        _shape = shape;
        CertificatePem = certificatePem;
        KeyPem = keyPem;
    }

    public X509Certificate Certificate { get; }

    public string CertificatePem { get; }

    public string KeyPem { get; }

    /// <summary>The key pair, built on first use.</summary>
    public AsymmetricCipherKeyPair Key => _key.Value;

    /// <summary>What signs certificates with this key: the platform for RSA, BouncyCastle for ECDSA.</summary>
    public ISignatureFactory Signer => _shape.RsaModulus is not null
        ? new PlatformRsaSigner(KeyPem, $"the private key of {Certificate.SubjectDN}")
        : CertificateIssuer.SignerFor(Key.Private);

    /// <summary>Whether the private key belongs to the certificate (RSA: compared as numbers, without building the key).</summary>
    public bool KeyMatchesCertificate => _shape.Matches(Certificate) ?? PrivateKeys.Matches(Key, Certificate);

    public static StoredCredential Create(X509Certificate certificate, AsymmetricCipherKeyPair key) =>
        Create(certificate, new Lazy<AsymmetricCipherKeyPair>(key), PrivateKeys.ToPem(key.Private));

    /// <summary>A certificate just issued for a key just generated; the key's objects are built only if something signs with it.</summary>
    public static StoredCredential Create(X509Certificate certificate, GeneratedKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Create(certificate, new Lazy<AsymmetricCipherKeyPair>(() => key.Pair), key.Pem);
    }

    private static StoredCredential Create(X509Certificate certificate, Lazy<AsymmetricCipherKeyPair> key, string keyPem) =>
        new(certificate, key, PrivateKeys.KeyShape.Of(Encoding.ASCII.GetBytes(keyPem))!, Pem.Encode(Pem.Certificate, certificate.GetEncoded()), keyPem);

    /// <summary>Parses PEM texts; null when either is not a certificate or an unencrypted private key.</summary>
    public static StoredCredential? TryParse(string certificatePem, string keyPem, string source)
    {
        var certificate = TryParseCertificate(Encoding.ASCII.GetBytes(certificatePem));
        var keyBytes = Encoding.ASCII.GetBytes(keyPem);
        var shape = PrivateKeys.KeyShape.Of(keyBytes);
        return certificate is null || shape is null
            ? null
            : new StoredCredential(certificate, new Lazy<AsymmetricCipherKeyPair>(() => PrivateKeys.Parse(keyBytes, source)), shape, certificatePem, keyPem);
    }

    // Never prints the key.
    public override string ToString() => $"StoredCredential {{ Subject = {Certificate.SubjectDN}, Key = {Remote.SecretRedactor.Mask} }}";

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
