using System.Security.Cryptography;
using System.Text;
using Bootstrap.Core.Config.Parsing;

namespace Bootstrap.Core.Tests.Config.Parsing;

/// <summary>A private key is recognised by its armor and body, in every format SSH.NET loads, encrypted or not.</summary>
public sealed class PrivateKeyTextTests
{
    private static string? Problem(string text) => PrivateKeyText.Problem(Encoding.UTF8.GetBytes(text));

    public static TheoryData<string> PrivateKeys()
    {
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var openSsh = Convert.ToBase64String([.. "openssh-key-v1\0"u8.ToArray(), .. RandomNumberGenerator.GetBytes(200)]);
        return new TheoryData<string>
        {
            rsa.ExportRSAPrivateKeyPem(),
            ec.ExportECPrivateKeyPem(),
            rsa.ExportPkcs8PrivateKeyPem(),
            ec.ExportEncryptedPkcs8PrivateKeyPem("passphrase", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)),
            "-----BEGIN OPENSSH PRIVATE KEY-----\n" + string.Join('\n', openSsh.Chunk(70).Select(c => new string(c))) + "\n-----END OPENSSH PRIVATE KEY-----\n",
            // A legacy encrypted PEM key: its RFC 1421 headers are not base64 and are skipped; it is not decrypted.
            "-----BEGIN RSA PRIVATE KEY-----\r\nProc-Type: 4,ENCRYPTED\r\nDEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF\r\n\r\nAAAABBBB\r\n-----END RSA PRIVATE KEY-----\r\n",
            "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: \"rsa-key\"\nAAAABBBB\n---- END SSH2 ENCRYPTED PRIVATE KEY ----\n",
            "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n",
        };
    }

    [Theory]
    [MemberData(nameof(PrivateKeys))]
    public void Private_keys_in_every_supported_format_are_accepted(string key) => Assert.Null(Problem(key));

    [Theory]
    [InlineData("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGXSfjVN5SeIJVz+pRKIOv5kb6vBOPw0ZsVKJEWvPRDI user@host\n", "is a public key (the .pub half of a key pair), not the private key")]
    [InlineData("ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAI user@host\n", "is a public key (the .pub half of a key pair), not the private key")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "holds a public key, not the private key")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "holds a certificate, not a private key")]
    [InlineData("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n", "holds a PEM block labelled \"X509 CRL\", not a private key")]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n", "is cut short: it has no \"END OPENSSH PRIVATE KEY\" line")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nnot*base64!\n-----END RSA PRIVATE KEY-----\n", "is damaged: the body of its RSA PRIVATE KEY block is not base64")]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAABBBB\n-----END OPENSSH PRIVATE KEY-----\n", "is damaged: its OPENSSH PRIVATE KEY block does not start with openssh-key-v1")]
    [InlineData("apiVersion: bootstrap.dev/v1alpha1\n", "does not hold a private key (no \"-----BEGIN … PRIVATE KEY-----\" line)")]
    public void Anything_else_says_what_it_is_instead(string text, string problem) => Assert.Equal(problem, Problem(text));

    [Fact]
    public void A_binary_file_is_no_key() => Assert.Equal("is a binary file, not a private key", PrivateKeyText.Problem([0x30, 0x82, 0x00, 0x01]));
}
