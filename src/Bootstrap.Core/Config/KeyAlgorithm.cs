using System.Text.Json.Serialization;

namespace Bootstrap.Core.Config;

/// <summary>The algorithm of every private key the PKI generates (CAs, leaves, the service-account key).</summary>
public enum KeyAlgorithm
{
    /// <summary><c>rsa-2048</c>, kubeadm's default. Keys are PEM "RSA PRIVATE KEY" (PKCS#1).</summary>
    [JsonStringEnumMemberName("rsa-2048")]
    Rsa2048,

    /// <summary><c>ecdsa-p256</c>: NIST P-256. Keys are PEM "EC PRIVATE KEY" (SEC 1).</summary>
    [JsonStringEnumMemberName("ecdsa-p256")]
    EcdsaP256,
}
