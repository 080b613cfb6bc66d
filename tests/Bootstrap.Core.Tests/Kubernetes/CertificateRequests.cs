using System.Net;
using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;

namespace Bootstrap.Core.Tests.Kubernetes;

/// <summary>Real PEM-encoded PKCS#10 requests, made with BouncyCastle the way a kubelet makes them (an ECDSA P-256 key).</summary>
internal static class CertificateRequests
{
    private static readonly AsymmetricCipherKeyPair Key = NewKey();

    public static byte[] Pem(string cn, string org = "system:nodes", string extraSubject = "", string[]? dns = null, string[]? ips = null, string[]? emails = null)
    {
        var names = (dns ?? []).Select(d => new GeneralName(GeneralName.DnsName, d))
            .Concat((ips ?? []).Select(i => new GeneralName(GeneralName.IPAddress, new DerOctetString(IPAddress.Parse(i).GetAddressBytes()))))
            .Concat((emails ?? []).Select(e => new GeneralName(GeneralName.Rfc822Name, e)))
            .ToArray();
        var attributes = new DerSet();
        if (names.Length > 0)
        {
            var extensions = new X509ExtensionsGenerator();
            extensions.AddExtension(X509Extensions.SubjectAlternativeName, false, new GeneralNames(names));
            attributes = new DerSet(new AttributePkcs(PkcsObjectIdentifiers.Pkcs9AtExtensionRequest, new DerSet(extensions.Generate())));
        }

        var request = new Pkcs10CertificationRequest("SHA256WITHECDSA", new X509Name($"O={org},CN={cn}{extraSubject}"), Key.Public, attributes, Key.Private);
        using var writer = new StringWriter();
        var pem = new PemWriter(writer);
        pem.WriteObject(request);
        pem.Writer.Flush();
        return Encoding.ASCII.GetBytes(writer.ToString());
    }

    /// <summary><paramref name="pem"/> with one bit of its signature flipped: a request whose signature does not verify.</summary>
    public static byte[] Tampered(byte[] pem)
    {
        var text = Encoding.ASCII.GetString(pem);
        var der = Convert.FromBase64String(string.Concat(text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal))));
        der[^5] ^= 0x01; // inside the signature bits
        return Encoding.ASCII.GetBytes("-----BEGIN CERTIFICATE REQUEST-----\n" + Convert.ToBase64String(der, Base64FormattingOptions.InsertLineBreaks) + "\n-----END CERTIFICATE REQUEST-----\n");
    }

    private static AsymmetricCipherKeyPair NewKey()
    {
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(Org.BouncyCastle.Asn1.Sec.SecObjectIdentifiers.SecP256r1, new SecureRandom()));
        return generator.GenerateKeyPair();
    }
}
