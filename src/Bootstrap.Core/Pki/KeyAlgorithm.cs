using System.Text.Json.Serialization;

namespace Bootstrap.Core.Pki;

/// <summary>The algorithm of every private key the PKI generates (CAs, leaves, the service-account key).</summary>
internal enum KeyAlgorithm
{
    /// <summary>RSA with a 2048-bit modulus; kubeadm's default. Keys are PEM "RSA PRIVATE KEY" (PKCS#1).</summary>
    [JsonStringEnumMemberName("rsa-2048")]
    Rsa2048,

    /// <summary>ECDSA on NIST P-256. Keys are PEM "EC PRIVATE KEY" (SEC 1).</summary>
    [JsonStringEnumMemberName("ecdsa-p256")]
    EcdsaP256,
}
