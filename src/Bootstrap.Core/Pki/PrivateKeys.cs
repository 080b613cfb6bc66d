using System.Text;
using Bootstrap.Core.Config;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Bootstrap.Core.Pki;

/// <summary>
/// Key generation and PEM encoding the way kubeadm writes keys: RSA as PKCS#1 "RSA PRIVATE KEY",
/// ECDSA as SEC 1 "EC PRIVATE KEY" (with the named curve), public keys as PKIX "PUBLIC KEY".
/// Errors never include key material.
/// </summary>
internal static class PrivateKeys
{
    public static AsymmetricCipherKeyPair Generate(KeyAlgorithm algorithm)
    {
        switch (algorithm)
        {
            case KeyAlgorithm.Rsa2048:
                // The platform's generator (OpenSSL on Linux) is several times faster than a managed
                // one; BouncyCastle takes the key from there for certificates and PEM.
                using (var rsa = System.Security.Cryptography.RSA.Create(2048))
                {
                    return DotNetUtilities.GetRsaKeyPair(rsa.ExportParameters(includePrivateParameters: true));
                }

            case KeyAlgorithm.EcdsaP256:
                var ec = new ECKeyPairGenerator("EC");
                ec.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, new SecureRandom()));
                return ec.GenerateKeyPair();
            default:
                throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown key algorithm.");
        }
    }

    public static KeyAlgorithm? AlgorithmOf(AsymmetricKeyParameter publicKey) => publicKey switch
    {
        RsaKeyParameters rsa when rsa.Modulus.BitLength == 2048 => KeyAlgorithm.Rsa2048,
        ECPublicKeyParameters ec when SecObjectIdentifiers.SecP256r1.Equals(ec.PublicKeyParamSet) => KeyAlgorithm.EcdsaP256,
        _ => null,
    };

    public static string ToPem(AsymmetricKeyParameter privateKey)
    {
        var inner = PrivateKeyInfoFactory.CreatePrivateKeyInfo(privateKey).ParsePrivateKey().GetDerEncoded();
        return privateKey switch
        {
            RsaKeyParameters => Pem.Encode(Pem.RsaPrivateKey, inner),
            ECPrivateKeyParameters => Pem.Encode(Pem.EcPrivateKey, inner),
            _ => throw new NotSupportedException("Only RSA and ECDSA keys are supported."),
        };
    }

    public static string PublicToPem(AsymmetricKeyParameter publicKey) =>
        Pem.Encode(Pem.PublicKey, SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(publicKey).GetDerEncoded());

    /// <summary>Reads a PEM private key (PKCS#1, SEC 1 or unencrypted PKCS#8) and derives its public half.</summary>
    /// <exception cref="InvalidDataException">The file holds no usable private key; the message names only <paramref name="source"/>.</exception>
    public static AsymmetricCipherKeyPair Parse(byte[] pem, string source)
    {
        object? parsed;
        try
        {
            using var reader = new StringReader(Encoding.ASCII.GetString(pem));
            parsed = new PemReader(reader).ReadObject();
        }
#pragma warning disable CA1031 // Parser errors can echo input; replace them with a message that names only the file.
        catch (Exception)
#pragma warning restore CA1031
        {
            parsed = null;
        }

        return parsed switch
        {
            AsymmetricCipherKeyPair pair when pair.Private is RsaPrivateCrtKeyParameters or ECPrivateKeyParameters => pair,
            RsaPrivateCrtKeyParameters rsa => new AsymmetricCipherKeyPair(new RsaKeyParameters(false, rsa.Modulus, rsa.PublicExponent), rsa),
            ECPrivateKeyParameters ec => new AsymmetricCipherKeyPair(DerivePublic(ec), ec),
            _ => throw new InvalidDataException($"{source} does not hold an unencrypted RSA or ECDSA private key in PEM form."),
        };
    }

    public static bool Matches(AsymmetricCipherKeyPair key, X509Certificate certificate) =>
        certificate.GetPublicKey().Equals(key.Public);

    private static ECPublicKeyParameters DerivePublic(ECPrivateKeyParameters key)
    {
        var q = key.Parameters.G.Multiply(key.D).Normalize();
        return key.PublicKeyParamSet is { } named
            ? new ECPublicKeyParameters("EC", q, named)
            : new ECPublicKeyParameters("EC", q, key.Parameters);
    }
}
