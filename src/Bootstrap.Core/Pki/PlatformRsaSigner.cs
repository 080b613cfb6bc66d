using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;

namespace Bootstrap.Core.Pki;

/// <summary>
/// Signs certificates SHA256withRSA (PKCS#1 v1.5) with the platform's RSA (OpenSSL on Linux), for BouncyCastle's
/// certificate generator. The key is read from its PEM for each signature: BouncyCastle's own RSA key objects run
/// modulus checks that cost tens of milliseconds a key, and its managed signing is several times slower. PKCS#1 v1.5
/// signatures are deterministic, so a certificate is byte for byte the one BouncyCastle's signer would make.
/// </summary>
internal sealed class PlatformRsaSigner : ISignatureFactory
{
    // sha256WithRSAEncryption with NULL parameters, as BouncyCastle's "SHA256WITHRSA" and Go's crypto/x509 write it.
    private static readonly AlgorithmIdentifier Algorithm = new(PkcsObjectIdentifiers.Sha256WithRsaEncryption, DerNull.Instance);

    private readonly string _keyPem;
    private readonly string _source;

    /// <param name="keyPem">An unencrypted RSA private key, PKCS#1 or PKCS#8 PEM.</param>
    /// <param name="source">Where the key comes from, for errors (never the key).</param>
    public PlatformRsaSigner(string keyPem, string source)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyPem);
        _keyPem = keyPem;
        _source = source;
    }

    public object AlgorithmDetails => Algorithm;

    public IStreamCalculator<IBlockResult> CreateCalculator() => new Calculator(this);

    /// <exception cref="PkiStateException">The platform cannot use the key (the message names only its source).</exception>
    public byte[] Sign(byte[] data)
    {
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportFromPem(_keyPem);
            return rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // The platform's messages do not echo key material; the PEM text is never part of this one.
            throw new PkiStateException($"{_source} cannot sign a certificate: {e.Message}", e);
        }
    }

    // Never prints the key.
    public override string ToString() => $"PlatformRsaSigner {{ {_source}, key = {Remote.SecretRedactor.Mask} }}";

    /// <summary>Collects what the generator writes (the to-be-signed certificate) and signs it when asked for the result.</summary>
    private sealed class Calculator(PlatformRsaSigner signer) : IStreamCalculator<IBlockResult>
    {
        private readonly MemoryStream _data = new();

        public Stream Stream => _data;

        public IBlockResult GetResult() => new SimpleBlockResult(signer.Sign(_data.ToArray()));
    }
}
