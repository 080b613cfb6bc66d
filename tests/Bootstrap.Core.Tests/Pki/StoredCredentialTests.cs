using Bootstrap.Core.Config;
using Bootstrap.Core.Pki;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;

namespace Bootstrap.Core.Tests.Pki;

/// <summary>Stored credentials are compared without building their keys; the comparison must still catch every wrong key.</summary>
public sealed class StoredCredentialTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly PkiRequest Request = PkiRequests.Single();
    private static readonly IReadOnlyList<CertificateSpec> Specs = CertificateCatalog.Build(Request);
    private static readonly AsymmetricCipherKeyPair CaKey = PrivateKeys.Generate(KeyAlgorithm.EcdsaP256);
    private static readonly X509Certificate Ca = CertificateIssuer.CreateAuthority(Specs.Single(s => s.Name == "ca"), CaKey, Now, TimeSpan.FromDays(3650));

    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(KeyAlgorithm.Rsa2048)]
    [InlineData(KeyAlgorithm.EcdsaP256)]
    public void A_key_matches_its_own_certificate_in_pkcs1_sec1_and_pkcs8_form_and_no_other(KeyAlgorithm algorithm)
    {
        var (certificatePem, keyPem) = Issue(algorithm);
        var (_, otherKeyPem) = Issue(algorithm);
        var (_, otherAlgorithmKeyPem) = Issue(algorithm == KeyAlgorithm.Rsa2048 ? KeyAlgorithm.EcdsaP256 : KeyAlgorithm.Rsa2048);

        Assert.True(Parse(certificatePem, keyPem).KeyMatchesCertificate);
        Assert.True(Parse(certificatePem, Pkcs8(keyPem)).KeyMatchesCertificate);
        Assert.False(Parse(certificatePem, otherKeyPem).KeyMatchesCertificate);
        Assert.False(Parse(certificatePem, Pkcs8(otherKeyPem)).KeyMatchesCertificate);
        Assert.False(Parse(certificatePem, otherAlgorithmKeyPem).KeyMatchesCertificate);
    }

    [Fact]
    public void The_key_is_built_when_used_and_is_the_stored_one()
    {
        var (certificatePem, keyPem) = Issue(KeyAlgorithm.Rsa2048);

        var credential = Parse(certificatePem, keyPem);

        Assert.Equal(keyPem, PrivateKeys.ToPem(credential.Key.Private));
        Assert.True(PrivateKeys.Matches(credential.Key, credential.Certificate));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----\n")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n")]
    public void Text_without_a_usable_private_key_is_unreadable(string keyPem)
    {
        var (certificatePem, _) = Issue(KeyAlgorithm.EcdsaP256);

        Assert.Null(StoredCredential.TryParse(certificatePem, keyPem, "test.key"));
    }

    [Fact]
    public void An_encrypted_key_is_unreadable()
    {
        var (certificatePem, keyPem) = Issue(KeyAlgorithm.Rsa2048);
        var plain = Write("plain.key", keyPem);

        var encrypted = OpenSsl.RunChecked("pkcs8", "-topk8", "-in", plain, "-passout", "pass:secret", "-v2", "aes-256-cbc");

        Assert.Contains("ENCRYPTED PRIVATE KEY", encrypted, StringComparison.Ordinal);
        Assert.Null(StoredCredential.TryParse(certificatePem, encrypted, "test.key"));
    }

    [Theory]
    [InlineData(KeyAlgorithm.Rsa2048)]
    [InlineData(KeyAlgorithm.EcdsaP256)]
    public void The_algorithm_is_read_from_the_certificate(KeyAlgorithm algorithm)
    {
        var (certificatePem, _) = Issue(algorithm);

        Assert.Equal(algorithm, PrivateKeys.AlgorithmOf(StoredCredential.TryParseCertificate(System.Text.Encoding.ASCII.GetBytes(certificatePem))!.SubjectPublicKeyInfo));
    }

    private static StoredCredential Parse(string certificatePem, string keyPem) =>
        StoredCredential.TryParse(certificatePem, keyPem, "test.key") ?? throw new InvalidOperationException("not parsed");

    private static (string CertificatePem, string KeyPem) Issue(KeyAlgorithm algorithm)
    {
        var key = PrivateKeys.Generate(algorithm);
        var credential = StoredCredential.Create(CertificateIssuer.Issue(Specs.Single(s => s.Name == "apiserver"), key.Public, Ca, CaKey.Private, Now, TimeSpan.FromDays(365)), key);
        return (credential.CertificatePem, credential.KeyPem);
    }

    private string Write(string name, string text)
    {
        var path = _directory.Combine(name);
        File.WriteAllText(path, text);
        return path;
    }

    private string Pkcs8(string keyPem) =>
        OpenSsl.RunChecked("pkcs8", "-topk8", "-nocrypt", "-in", Write($"{Guid.NewGuid():N}.key", keyPem));
}
