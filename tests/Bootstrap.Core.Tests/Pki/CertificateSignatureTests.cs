using Bootstrap.Core.Config;
using Bootstrap.Core.Pki;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;

namespace Bootstrap.Core.Tests.Pki;

/// <summary>
/// Whether a stored certificate was signed by the CA in the state (<see cref="CertificateIssuer.IsSignedBy"/>): RSA signatures are
/// checked by the platform, others by BouncyCastle, and each answer is compared with BouncyCastle's own check of the same pair.
/// </summary>
public sealed class CertificateSignatureTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyList<CertificateSpec> Specs = CertificateCatalog.Build(PkiRequests.Single());
    private static readonly Lazy<(AsymmetricCipherKeyPair Key, X509Certificate Ca)> RsaCa = new(() => Authority(KeyAlgorithm.Rsa2048));
    private static readonly Lazy<(AsymmetricCipherKeyPair Key, X509Certificate Ca)> OtherRsaCa = new(() => Authority(KeyAlgorithm.Rsa2048));

    private static CertificateSpec ApiServer => Specs.Single(s => s.Name == "apiserver");

    [Theory]
    [InlineData(KeyAlgorithm.Rsa2048)]
    [InlineData(KeyAlgorithm.EcdsaP256)]
    public void A_leaf_issued_by_the_ca_is_signed_by_it(KeyAlgorithm algorithm)
    {
        var (key, ca) = algorithm == KeyAlgorithm.Rsa2048 ? RsaCa.Value : Authority(algorithm);
        var leaf = Leaf(ca, key);

        Assert.True(CertificateIssuer.IsSignedBy(leaf, ca));
        Assert.True(BouncyCastleVerifies(leaf, ca));
    }

    [Fact]
    public void A_leaf_of_another_ca_with_the_same_name_is_not_signed_by_it()
    {
        var leaf = Leaf(OtherRsaCa.Value.Ca, OtherRsaCa.Value.Key);

        Assert.Equal(RsaCa.Value.Ca.SubjectDN.ToString(), OtherRsaCa.Value.Ca.SubjectDN.ToString());
        Assert.False(CertificateIssuer.IsSignedBy(leaf, RsaCa.Value.Ca));
        Assert.False(BouncyCastleVerifies(leaf, RsaCa.Value.Ca));
    }

    [Fact]
    public void A_leaf_whose_signature_was_altered_is_not_signed_by_its_ca()
    {
        var structure = Leaf(RsaCa.Value.Ca, RsaCa.Value.Key).CertificateStructure;
        var signature = structure.Signature.GetOctets();
        signature[^1] ^= 1;
        var altered = new X509Certificate(new X509CertificateStructure(structure.TbsCertificate, structure.SignatureAlgorithm, new DerBitString(signature)));

        Assert.False(CertificateIssuer.IsSignedBy(altered, RsaCa.Value.Ca));
        Assert.False(BouncyCastleVerifies(altered, RsaCa.Value.Ca));
    }

    [Fact]
    public void A_leaf_whose_outer_signature_algorithm_differs_from_the_signed_one_is_not_signed_by_its_ca()
    {
        var structure = Leaf(RsaCa.Value.Ca, RsaCa.Value.Key).CertificateStructure;
        var relabelled = new X509Certificate(new X509CertificateStructure(
            structure.TbsCertificate, new AlgorithmIdentifier(PkcsObjectIdentifiers.Sha512WithRsaEncryption, DerNull.Instance), structure.Signature));

        Assert.False(CertificateIssuer.IsSignedBy(relabelled, RsaCa.Value.Ca));
        Assert.False(BouncyCastleVerifies(relabelled, RsaCa.Value.Ca));
    }

    [Fact]
    public void A_leaf_is_not_signed_by_a_ca_of_another_name()
    {
        var (key, ca) = RsaCa.Value;
        var etcdCa = CertificateIssuer.CreateAuthority(Specs.Single(s => s.Name == "etcd-ca"), key, Now, TimeSpan.FromDays(3650));

        Assert.False(CertificateIssuer.IsSignedBy(Leaf(ca, key), etcdCa));
    }

    private static (AsymmetricCipherKeyPair Key, X509Certificate Ca) Authority(KeyAlgorithm algorithm)
    {
        var key = PrivateKeys.Generate(algorithm);
        return (key, CertificateIssuer.CreateAuthority(Specs.Single(s => s.Name == "ca"), key, Now, TimeSpan.FromDays(3650)));
    }

    private static X509Certificate Leaf(X509Certificate ca, AsymmetricCipherKeyPair caKey) =>
        CertificateIssuer.Issue(ApiServer, PrivateKeys.Generate(KeyAlgorithm.EcdsaP256).Public, ca, caKey.Private, Now, TimeSpan.FromDays(365));

    private static bool BouncyCastleVerifies(X509Certificate certificate, X509Certificate ca)
    {
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
}
