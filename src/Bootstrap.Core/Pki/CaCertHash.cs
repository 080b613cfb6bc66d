using System.Security.Cryptography;
using Org.BouncyCastle.X509;

namespace Bootstrap.Core.Pki;

/// <summary>
/// The value `kubeadm join --discovery-token-ca-cert-hash` expects: "sha256:" and the lower-case
/// hex SHA-256 of the CA certificate's DER SubjectPublicKeyInfo. Computed from our own PKI,
/// never scraped from another tool's output.
/// </summary>
internal static class CaCertHash
{
    public static string Compute(X509Certificate caCertificate)
    {
        ArgumentNullException.ThrowIfNull(caCertificate);
        var spki = caCertificate.CertificateStructure.SubjectPublicKeyInfo.GetDerEncoded();
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(spki));
    }
}
