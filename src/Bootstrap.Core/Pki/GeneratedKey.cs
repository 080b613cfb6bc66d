using System.Text;
using Bootstrap.Core.Config;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;

namespace Bootstrap.Core.Pki;

/// <summary>
/// A new private key as a certificate needs it: its public half as encoded in certificates, and its PEM
/// for the state. RSA keys come from the platform (OpenSSL) and stay encoded: BouncyCastle's key objects,
/// whose RSA modulus checks cost tens of milliseconds each, are not built for them: an RSA key signs through the
/// platform too (<see cref="Signer"/>).
/// </summary>
internal sealed class GeneratedKey
{
    private const string Source = "a key generated in this run";
    private readonly Lazy<AsymmetricCipherKeyPair> _pair;
    private readonly bool _rsa;

    private GeneratedKey(SubjectPublicKeyInfo publicKey, string pem, Lazy<AsymmetricCipherKeyPair> pair, bool rsa)
    {
        PublicKey = publicKey;
        Pem = pem;
        _pair = pair;
        _rsa = rsa;
    }

    public SubjectPublicKeyInfo PublicKey { get; }

    /// <summary>The private key in kubeadm's PEM form (PKCS#1 for RSA, SEC 1 for ECDSA).</summary>
    public string Pem { get; }

    /// <summary>The key as BouncyCastle objects, built on first use.</summary>
    public AsymmetricCipherKeyPair Pair => _pair.Value;

    /// <summary>What signs with this key (a new CA's): the platform for RSA, BouncyCastle for ECDSA.</summary>
    public ISignatureFactory Signer => _rsa ? new PlatformRsaSigner(Pem, Source) : CertificateIssuer.SignerFor(Pair.Private);

    public static GeneratedKey Create(KeyAlgorithm algorithm)
    {
        if (algorithm != KeyAlgorithm.Rsa2048)
        {
            var pair = PrivateKeys.Generate(algorithm);
            return new GeneratedKey(SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(pair.Public), PrivateKeys.ToPem(pair.Private), new Lazy<AsymmetricCipherKeyPair>(pair), rsa: false);
        }

        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var pem = Pki.Pem.Encode(Pki.Pem.RsaPrivateKey, rsa.ExportRSAPrivateKey());
        return new GeneratedKey(
            SubjectPublicKeyInfo.GetInstance(rsa.ExportSubjectPublicKeyInfo()),
            pem,
            new Lazy<AsymmetricCipherKeyPair>(() => PrivateKeys.Parse(Encoding.ASCII.GetBytes(pem), Source)),
            rsa: true);
    }

    // Never prints the key.
    public override string ToString() => $"GeneratedKey {{ {PublicKey.Algorithm.Algorithm}, private = {Remote.SecretRedactor.Mask} }}";
}
