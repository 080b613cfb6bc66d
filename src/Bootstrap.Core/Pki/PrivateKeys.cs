using System.Text;
using Bootstrap.Core.Config;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
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

    /// <summary>The algorithm of a certificate's public key, read from its encoding without building a key object.</summary>
    public static KeyAlgorithm? AlgorithmOf(SubjectPublicKeyInfo publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        var algorithm = publicKey.Algorithm;
        if (PkcsObjectIdentifiers.RsaEncryption.Equals(algorithm.Algorithm))
        {
            return RsaPublicKeyStructure.GetInstance(publicKey.ParsePublicKey()).Modulus.BitLength == 2048 ? KeyAlgorithm.Rsa2048 : null;
        }

        return X9ObjectIdentifiers.IdECPublicKey.Equals(algorithm.Algorithm) && SecObjectIdentifiers.SecP256r1.Equals(algorithm.Parameters)
            ? KeyAlgorithm.EcdsaP256
            : null;
    }

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

    public static string PublicToPem(AsymmetricKeyParameter publicKey) => PublicToPem(SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(publicKey));

    public static string PublicToPem(SubjectPublicKeyInfo publicKey) => Pem.Encode(Pem.PublicKey, publicKey.GetDerEncoded());

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

    /// <summary>
    /// What a private key's PEM holds, read as ASN.1 only (PKCS#1, SEC 1 or unencrypted PKCS#8): whether it is
    /// RSA or ECDSA and, for RSA, its public numbers. Building BouncyCastle's RSA key objects runs modulus
    /// checks that cost tens of milliseconds a key; telling whether a stored key fits its certificate does not need them.
    /// </summary>
    internal sealed record KeyShape(BigInteger? RsaModulus, BigInteger? RsaPublicExponent)
    {
        /// <summary>Null when the text holds no unencrypted RSA or ECDSA private key.</summary>
        public static KeyShape? Of(byte[] pem)
        {
            try
            {
                using var reader = new StringReader(Encoding.ASCII.GetString(pem));
                var block = new Org.BouncyCastle.Utilities.IO.Pem.PemReader(reader).ReadPemObject();
                return block?.Type switch
                {
                    Pem.RsaPrivateKey => Rsa(RsaPrivateKeyStructure.GetInstance(Asn1Object.FromByteArray(block.Content))),
                    Pem.EcPrivateKey => Ec(ECPrivateKeyStructure.GetInstance(Asn1Object.FromByteArray(block.Content))),
                    "PRIVATE KEY" => FromPkcs8(PrivateKeyInfo.GetInstance(Asn1Object.FromByteArray(block.Content))),
                    _ => null,
                };
            }
#pragma warning disable CA1031 // Any parser failure means "no usable key"; parser messages can echo key material.
            catch (Exception)
#pragma warning restore CA1031
            {
                return null;
            }
        }

        /// <summary>For RSA the public half as certificates and PEM encode it (PKIX), built from the numbers without any key object; null for ECDSA.</summary>
        public SubjectPublicKeyInfo? RsaPublicKey => RsaModulus is null
            ? null
            : new SubjectPublicKeyInfo(new AlgorithmIdentifier(PkcsObjectIdentifiers.RsaEncryption, DerNull.Instance), new RsaPublicKeyStructure(RsaModulus, RsaPublicExponent!));

        /// <summary>For RSA whether the certificate carries this key's public half; null for ECDSA, where only the whole key can tell.</summary>
        public bool? Matches(X509Certificate certificate)
        {
            ArgumentNullException.ThrowIfNull(certificate);
            if (RsaModulus is null)
            {
                return null;
            }

            var publicKey = certificate.SubjectPublicKeyInfo;
            if (!PkcsObjectIdentifiers.RsaEncryption.Equals(publicKey.Algorithm.Algorithm))
            {
                return false;
            }

            var numbers = RsaPublicKeyStructure.GetInstance(publicKey.ParsePublicKey());
            return numbers.Modulus.Equals(RsaModulus) && numbers.PublicExponent.Equals(RsaPublicExponent);
        }

        private static KeyShape? FromPkcs8(PrivateKeyInfo info)
        {
            var algorithm = info.PrivateKeyAlgorithm.Algorithm;
            return PkcsObjectIdentifiers.RsaEncryption.Equals(algorithm) ? Rsa(RsaPrivateKeyStructure.GetInstance(info.ParsePrivateKey()))
                : X9ObjectIdentifiers.IdECPublicKey.Equals(algorithm) ? Ec(ECPrivateKeyStructure.GetInstance(info.ParsePrivateKey()))
                : null;
        }

        private static KeyShape Rsa(RsaPrivateKeyStructure key) => new(key.Modulus, key.PublicExponent);

        private static KeyShape Ec(ECPrivateKeyStructure key) => key.GetKey().SignValue > 0 ? new KeyShape(null, null) : throw new InvalidDataException();
    }

    private static ECPublicKeyParameters DerivePublic(ECPrivateKeyParameters key)
    {
        var q = key.Parameters.G.Multiply(key.D).Normalize();
        return key.PublicKeyParamSet is { } named
            ? new ECPublicKeyParameters("EC", q, named)
            : new ECPublicKeyParameters("EC", q, key.Parameters);
    }
}
