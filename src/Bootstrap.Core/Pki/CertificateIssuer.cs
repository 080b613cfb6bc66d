using System.Net;
using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;

namespace Bootstrap.Core.Pki;

/// <summary>
/// Creates certificates with kubeadm's profile: CAs are self-signed with key usage
/// digitalSignature, keyEncipherment and keyCertSign, basic constraints CA:TRUE (critical);
/// leaves carry digitalSignature and keyEncipherment, CA:FALSE, the catalog's extended key
/// usages and SANs, and start at the CA's notBefore so small clock skews between hosts do not
/// reject them. Serial numbers are random 63-bit positive integers.
/// </summary>
internal static class CertificateIssuer
{
    public static X509Certificate CreateAuthority(CertificateSpec spec, AsymmetricCipherKeyPair key, DateTimeOffset now, TimeSpan validity)
    {
        ArgumentNullException.ThrowIfNull(key);
        return CreateAuthority(spec, SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(key.Public), SignerFor(key.Private), now, validity);
    }

    /// <summary>A self-signed CA for <paramref name="publicKey"/>, signed by <paramref name="signer"/> (the same key's private half).</summary>
    public static X509Certificate CreateAuthority(CertificateSpec spec, SubjectPublicKeyInfo publicKey, ISignatureFactory signer, DateTimeOffset now, TimeSpan validity)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(publicKey);
        ArgumentNullException.ThrowIfNull(signer);
        var notBefore = Truncate(now);
        var generator = new X509V3CertificateGenerator();
        var subject = Subject(spec);
        generator.SetSerialNumber(RandomSerial());
        generator.SetIssuerDN(subject);
        generator.SetSubjectDN(subject);
        generator.SetNotBefore(notBefore.UtcDateTime);
        generator.SetNotAfter(notBefore.Add(validity).UtcDateTime);
        generator.SetSubjectPublicKeyInfo(publicKey);
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature | KeyUsage.KeyEncipherment | KeyUsage.KeyCertSign));
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(true));
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(publicKey));
        // Go's crypto/x509 (and so kubeadm) adds the CA's common name as a DNS SAN.
        generator.AddExtension(X509Extensions.SubjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.DnsName, spec.CommonName)));
        return generator.Generate(signer);
    }

    public static X509Certificate Issue(CertificateSpec spec, AsymmetricKeyParameter publicKey, X509Certificate caCertificate, AsymmetricKeyParameter caKey, DateTimeOffset now, TimeSpan validity) =>
        Issue(spec, SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(publicKey), caCertificate, caKey, now, validity);

    public static X509Certificate Issue(CertificateSpec spec, SubjectPublicKeyInfo publicKey, X509Certificate caCertificate, AsymmetricKeyParameter caKey, DateTimeOffset now, TimeSpan validity) =>
        Issue(spec, publicKey, caCertificate, SignerFor(caKey), now, validity);

    /// <summary>A leaf for <paramref name="publicKey"/>, signed by <paramref name="caSigner"/> (the CA's private key).</summary>
    public static X509Certificate Issue(CertificateSpec spec, SubjectPublicKeyInfo publicKey, X509Certificate caCertificate, ISignatureFactory caSigner, DateTimeOffset now, TimeSpan validity)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(caCertificate);
        ArgumentNullException.ThrowIfNull(caSigner);
        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(RandomSerial());
        generator.SetIssuerDN(caCertificate.SubjectDN);
        generator.SetSubjectDN(Subject(spec));
        generator.SetNotBefore(caCertificate.NotBefore);
        generator.SetNotAfter(Truncate(now).Add(validity).UtcDateTime);
        generator.SetSubjectPublicKeyInfo(publicKey);
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature | KeyUsage.KeyEncipherment));
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
        generator.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(Purposes(spec.Purposes)));
        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, X509ExtensionUtilities.CreateAuthorityKeyIdentifier(caCertificate.SubjectPublicKeyInfo));
        var names = spec.DnsNames.Select(d => new GeneralName(GeneralName.DnsName, d))
            .Concat(spec.IpAddresses.Select(ip => new GeneralName(GeneralName.IPAddress, new DerOctetString(ip.GetAddressBytes()))))
            .ToArray();
        if (names.Length > 0)
        {
            generator.AddExtension(X509Extensions.SubjectAlternativeName, false, new GeneralNames(names));
        }

        return generator.Generate(caSigner);
    }

    /// <summary>BouncyCastle's signer for a key it holds: SHA256withRSA or SHA256withECDSA.</summary>
    public static ISignatureFactory SignerFor(AsymmetricKeyParameter privateKey) => new Asn1SignatureFactory(SignatureAlgorithm(privateKey), privateKey);

    /// <summary>Subject as Go orders it: organizations first, then the common name.</summary>
    public static X509Name Subject(CertificateSpec spec)
    {
        var oids = new List<DerObjectIdentifier>();
        var values = new List<string>();
        foreach (var organization in spec.Organizations)
        {
            oids.Add(X509Name.O);
            values.Add(organization);
        }

        oids.Add(X509Name.CN);
        values.Add(spec.CommonName);
        return new X509Name(oids, values);
    }

    public static IReadOnlyList<string> DnsNamesOf(X509Certificate certificate) =>
        AlternativeNames(certificate).Where(n => n.TagNo == GeneralName.DnsName)
            .Select(n => DerIA5String.GetInstance(n.Name).GetString()).ToArray();

    public static IReadOnlyList<IPAddress> IpAddressesOf(X509Certificate certificate) =>
        AlternativeNames(certificate).Where(n => n.TagNo == GeneralName.IPAddress)
            .Select(n => new IPAddress(Asn1OctetString.GetInstance(n.Name).GetOctets())).ToArray();

    public static KeyPurposes PurposesOf(X509Certificate certificate)
    {
        var purposes = KeyPurposes.None;
        foreach (var oid in certificate.GetExtendedKeyUsage() ?? [])
        {
            if (KeyPurposeID.id_kp_serverAuth.Equals(oid))
            {
                purposes |= KeyPurposes.ServerAuth;
            }
            else if (KeyPurposeID.id_kp_clientAuth.Equals(oid))
            {
                purposes |= KeyPurposes.ClientAuth;
            }
        }

        return purposes;
    }

    /// <summary>Whether <paramref name="certificate"/> names <paramref name="ca"/> as issuer and carries a valid signature by it.</summary>
    public static bool IsSignedBy(X509Certificate certificate, X509Certificate ca)
    {
        if (!certificate.IssuerDN.Equivalent(ca.SubjectDN, inOrder: true))
        {
            return false;
        }

        if (PlatformVerifies(certificate, ca) is { } verified)
        {
            return verified;
        }

        try
        {
            certificate.Verify(ca.GetPublicKey());
            return true;
        }
        catch (Exception e) when (e is Org.BouncyCastle.Security.GeneralSecurityException or CryptoException)
        {
            return false;
        }
    }

    /// <summary>
    /// An RSA CA's SHA-256 signature (every RSA certificate Bootstrap and kubeadm issue) checked by the platform (OpenSSL), with what
    /// BouncyCastle's check also asks: the signature algorithm inside the signed part is the one outside. BouncyCastle's own check
    /// builds the CA's key object first, and its modulus checks cost tens of milliseconds a CA on every run. Null for any other
    /// algorithm (BouncyCastle checks it).
    /// </summary>
    private static bool? PlatformVerifies(X509Certificate certificate, X509Certificate ca)
    {
        var outer = certificate.CertificateStructure.SignatureAlgorithm;
        var inner = certificate.CertificateStructure.TbsCertificate.Signature;
        if (!PkcsObjectIdentifiers.RsaEncryption.Equals(ca.SubjectPublicKeyInfo.Algorithm.Algorithm)
            || !PkcsObjectIdentifiers.Sha256WithRsaEncryption.Equals(outer.Algorithm) || !NullParameters(outer))
        {
            return null;
        }

        if (!PkcsObjectIdentifiers.Sha256WithRsaEncryption.Equals(inner.Algorithm) || !NullParameters(inner))
        {
            return false;
        }

        using var rsa = RSA.Create();
        try
        {
            rsa.ImportSubjectPublicKeyInfo(ca.SubjectPublicKeyInfo.GetDerEncoded(), out _);
            return rsa.VerifyData(certificate.GetTbsCertificate(), certificate.GetSignature(), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Whether an algorithm's parameters are absent or NULL (the two encodings of "none" that RSA signature algorithms use).</summary>
    private static bool NullParameters(AlgorithmIdentifier algorithm) => algorithm.Parameters is null || algorithm.Parameters is Asn1Null;

    public static bool IsAuthority(X509Certificate certificate) => certificate.GetBasicConstraints() >= 0;

    private static GeneralName[] AlternativeNames(X509Certificate certificate)
    {
        var extension = certificate.GetExtensionValue(X509Extensions.SubjectAlternativeName);
        return extension is null
            ? []
            : GeneralNames.GetInstance(X509ExtensionUtilities.FromExtensionValue(extension)).GetNames();
    }

    private static KeyPurposeID[] Purposes(KeyPurposes purposes)
    {
        var list = new List<KeyPurposeID>();
        if (purposes.HasFlag(KeyPurposes.ServerAuth))
        {
            list.Add(KeyPurposeID.id_kp_serverAuth);
        }

        if (purposes.HasFlag(KeyPurposes.ClientAuth))
        {
            list.Add(KeyPurposeID.id_kp_clientAuth);
        }

        return list.ToArray();
    }

    private static string SignatureAlgorithm(AsymmetricKeyParameter signingKey) => signingKey switch
    {
        RsaKeyParameters => "SHA256WITHRSA",
        ECPrivateKeyParameters => "SHA256WITHECDSA",
        _ => throw new NotSupportedException("Only RSA and ECDSA CA keys are supported."),
    };

    private static BigInteger RandomSerial()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        bytes[0] &= 0x7f;
        var serial = new BigInteger(1, bytes.ToArray());
        return serial.SignValue == 0 ? BigInteger.One : serial;
    }

    private static DateTimeOffset Truncate(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
