using System.Text;

namespace Bootstrap.Core.Pki;

/// <summary>PEM encoding with LF line endings and 64-character lines, as Go's encoding/pem writes it.</summary>
internal static class Pem
{
    public const string Certificate = "CERTIFICATE";
    public const string RsaPrivateKey = "RSA PRIVATE KEY";
    public const string EcPrivateKey = "EC PRIVATE KEY";
    public const string PublicKey = "PUBLIC KEY";

    public static string Encode(string label, byte[] der)
    {
        var base64 = Convert.ToBase64String(der);
        var text = new StringBuilder();
        text.Append("-----BEGIN ").Append(label).Append("-----\n");
        for (var i = 0; i < base64.Length; i += 64)
        {
            text.Append(base64, i, Math.Min(64, base64.Length - i)).Append('\n');
        }

        text.Append("-----END ").Append(label).Append("-----\n");
        return text.ToString();
    }
}
