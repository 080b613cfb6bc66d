using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Bootstrap.Core.Tests;

/// <summary>
/// SSH key files for cluster files that tests load as the CLI does (an identity file must be a private key):
/// generated per test run, never used to log in anywhere.
/// </summary>
internal static class TestKeys
{
    /// <summary>Writes a new ECDSA P-256 key pair: <paramref name="path"/> (SEC1 PEM, 0600) and <paramref name="path"/>.pub (OpenSSH line).</summary>
    public static void Write(string path)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(path, key.ExportECPrivateKeyPem() + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var point = key.ExportParameters(includePrivateParameters: false).Q;
        var blob = new MemoryStream();
        WriteString(blob, Encoding.ASCII.GetBytes("ecdsa-sha2-nistp256"));
        WriteString(blob, Encoding.ASCII.GetBytes("nistp256"));
        WriteString(blob, [0x04, .. point.X!, .. point.Y!]);
        File.WriteAllText(path + ".pub", "ecdsa-sha2-nistp256 " + Convert.ToBase64String(blob.ToArray()) + " bootstrap-tests\n");
    }

    private static void WriteString(Stream stream, byte[] value)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, value.Length);
        stream.Write(length);
        stream.Write(value);
    }
}
