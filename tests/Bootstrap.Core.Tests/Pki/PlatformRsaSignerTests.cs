using System.Security.Cryptography;
using System.Text;
using Bootstrap.Core.Config;
using Bootstrap.Core.Pki;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;

namespace Bootstrap.Core.Tests.Pki;

/// <summary>RSA CAs sign through the platform; what they sign must be exactly what BouncyCastle's signer made before.</summary>
public sealed class PlatformRsaSignerTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyList<CertificateSpec> Specs = CertificateCatalog.Build(PkiRequests.Single());

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Its_signature_and_algorithm_are_those_of_bouncycastles_sha256_with_rsa_for_a_pkcs1_or_pkcs8_key(bool pkcs8)
    {
        using var rsa = RSA.Create(2048);
        var pem = pkcs8 ? rsa.ExportPkcs8PrivateKeyPem() : rsa.ExportRSAPrivateKeyPem();
        var bouncyCastle = CertificateIssuer.SignerFor(PrivateKeys.Parse(Encoding.ASCII.GetBytes(pem), "test.key").Private);
        var data = RandomNumberGenerator.GetBytes(1500);

        var platform = new PlatformRsaSigner(pem, "test.key");

        Assert.Equal(Sign(bouncyCastle, data), Sign(platform, data));
        Assert.Equal(Der(bouncyCastle.AlgorithmDetails), Der(platform.AlgorithmDetails));
    }

    [Fact]
    public void A_ca_and_a_leaf_it_signs_verify_and_carry_the_signature_bouncycastle_makes_over_the_same_certificate()
    {
        var caKey = GeneratedKey.Create(KeyAlgorithm.Rsa2048);
        var leafKey = GeneratedKey.Create(KeyAlgorithm.Rsa2048);
        var ca = CertificateIssuer.CreateAuthority(Specs.Single(s => s.Name == "ca"), caKey.PublicKey, caKey.Signer, Now, TimeSpan.FromDays(3650));
        var leaf = CertificateIssuer.Issue(Specs.Single(s => s.Name == "apiserver"), leafKey.PublicKey, ca, caKey.Signer, Now, TimeSpan.FromDays(365));

        Assert.IsType<PlatformRsaSigner>(caKey.Signer);
        ca.Verify(ca.GetPublicKey());
        leaf.Verify(ca.GetPublicKey());
        var bouncyCastle = CertificateIssuer.SignerFor(caKey.Pair.Private);
        Assert.Equal(Sign(bouncyCastle, ca.GetTbsCertificate()), ca.GetSignature());
        Assert.Equal(Sign(bouncyCastle, leaf.GetTbsCertificate()), leaf.GetSignature());
        Assert.Equal("1.2.840.113549.1.1.11", leaf.SigAlgOid);
    }

    [Fact]
    public void A_stored_rsa_credential_signs_through_the_platform_and_an_ecdsa_one_through_bouncycastle()
    {
        foreach (var (algorithm, signer) in new[] { (KeyAlgorithm.Rsa2048, typeof(PlatformRsaSigner)), (KeyAlgorithm.EcdsaP256, typeof(Org.BouncyCastle.Crypto.Operators.Asn1SignatureFactory)) })
        {
            var key = GeneratedKey.Create(algorithm);
            var ca = CertificateIssuer.CreateAuthority(Specs.Single(s => s.Name == "ca"), key.PublicKey, key.Signer, Now, TimeSpan.FromDays(3650));
            var stored = StoredCredential.TryParse(Pem.Encode(Pem.Certificate, ca.GetEncoded()), key.Pem, "ca.key")!;

            Assert.IsType(signer, stored.Signer);
            CertificateIssuer.Issue(Specs.Single(s => s.Name == "apiserver"), GeneratedKey.Create(algorithm).PublicKey, ca, stored.Signer, Now, TimeSpan.FromDays(365))
                .Verify(ca.GetPublicKey());
        }
    }

    [Fact]
    public void A_key_the_platform_cannot_use_is_an_error_naming_its_source_and_never_the_key()
    {
        const string Body = "bm90IGEga2V5IGF0IGFsbA==";
        var signer = new PlatformRsaSigner($"-----BEGIN RSA PRIVATE KEY-----\n{Body}\n-----END RSA PRIVATE KEY-----\n", "/state/pki/ca.key");

        var error = Assert.Throws<PkiStateException>(() => signer.Sign([1, 2, 3]));

        Assert.StartsWith("/state/pki/ca.key cannot sign a certificate: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Body, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Body, signer.ToString(), StringComparison.Ordinal);
    }

    private static byte[] Sign(ISignatureFactory factory, byte[] data)
    {
        var calculator = factory.CreateCalculator();
        using (var stream = calculator.Stream)
        {
            stream.Write(data);
        }

        return calculator.GetResult().Collect();
    }

    private static byte[] Der(object algorithm) => ((Org.BouncyCastle.Asn1.Asn1Encodable)algorithm).GetDerEncoded();
}
