using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Bootstrap.Core.Identity;

namespace Bootstrap.Core.Tests.Identity;

/// <summary>How a host's identity files are told apart from the state's: another cluster's, or a state file that is damaged.</summary>
public sealed class ClusterIdentityTests
{
    private const string HostCa = "/etc/kubernetes/pki/ca.crt";

    [Fact]
    public void A_state_ca_that_is_a_certificate_of_another_cluster_is_named_by_its_subject_and_fingerprint()
    {
        var state = State(Pem("CN=another-cluster"));

        var line = Assert.Single(ClusterIdentity.Differences(Host(), state, new Dictionary<string, byte[]>()));

        Assert.StartsWith($"{HostCa}: the host has a file with sha256 ", line, StringComparison.Ordinal);
        Assert.Contains("; the state has the certificate CN=another-cluster with SHA-256 fingerprint ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_path_that_is_no_regular_file_is_said_to_be_one_not_a_file_with_a_digest()
    {
        // The host's file probe never reads a device in a file's place: it hashes as empty content.
        var host = new HostIdentity("cp3", new Dictionary<string, string> { [HostCa] = Bootstrap.Core.Remote.RemoteFileState.EmptySha256 }, [], null);

        var line = Assert.Single(ClusterIdentity.Differences(host, State(Pem("CN=kubernetes")), new Dictionary<string, byte[]>()));

        Assert.StartsWith($"{HostCa}: the host has an empty file, or no regular file (a device, a FIFO, a directory: never read); the state has the certificate CN=kubernetes", line, StringComparison.Ordinal);
        Assert.Equal([HostCa], ClusterIdentity.DifferingFiles(host, State(Pem("CN=kubernetes"))));
    }

    [Fact]
    public void A_state_ca_that_is_no_certificate_is_called_damaged_with_its_path_not_another_identity()
    {
        var state = State("garbage\n"u8.ToArray());

        var line = Assert.Single(ClusterIdentity.Differences(Host(), state, new Dictionary<string, byte[]>()));

        Assert.Contains($"; the state's {Path.Combine("/state", "pki/ca.crt")} is not a PEM certificate at all (sha256 ", line, StringComparison.Ordinal);
        Assert.EndsWith("the file is damaged; restore it from a backup of the state directory", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pki/ca.key", "/etc/kubernetes/pki/ca.key", "is not an unencrypted RSA or ECDSA private key in PEM form")]
    [InlineData("pki/sa.key", "/etc/kubernetes/pki/sa.key", "is not an unencrypted RSA or ECDSA private key in PEM form")]
    [InlineData("pki/sa.pub", "/etc/kubernetes/pki/sa.pub", "is not a PEM public key at all")]
    public void A_state_key_that_is_no_key_is_called_damaged_with_its_path(string statePath, string hostPath, string damage)
    {
        var state = new StateIdentity("/state", true, new Dictionary<string, byte[]> { [statePath] = "-----BEGIN GARBAGE-----\nAAAA\n"u8.ToArray() }, [], null);

        var line = Assert.Single(ClusterIdentity.Differences(Host(hostPath), state, new Dictionary<string, byte[]>()));

        Assert.Contains($"; the state's {Path.Combine("/state", statePath)} {damage} (sha256 ", line, StringComparison.Ordinal);
        Assert.EndsWith("the file is damaged; restore it from a backup of the state directory", line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_state_ca_key_that_is_not_the_key_of_the_state_ca_certificate_is_called_damaged()
    {
        using var caKey = RSA.Create(2048);
        using var otherKey = RSA.Create(2048);
        var state = new StateIdentity("/state", true, new Dictionary<string, byte[]>
        {
            ["pki/ca.crt"] = Pem("CN=kubernetes", caKey),
            ["pki/ca.key"] = Encoding.ASCII.GetBytes(otherKey.ExportRSAPrivateKeyPem()),
        }, [], null);

        var line = Assert.Single(ClusterIdentity.Differences(Host("/etc/kubernetes/pki/ca.key"), state, new Dictionary<string, byte[]>()));

        Assert.Contains($"; the state's {Path.Combine("/state", "pki/ca.key")} is not the private key of the state's pki/ca.crt (sha256 ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void State_keys_of_another_cluster_are_named_by_digest_not_called_damaged()
    {
        using var caKey = RSA.Create(2048);
        var state = new StateIdentity("/state", true, new Dictionary<string, byte[]>
        {
            ["pki/ca.crt"] = Pem("CN=kubernetes", caKey),
            ["pki/ca.key"] = Encoding.ASCII.GetBytes(caKey.ExportRSAPrivateKeyPem()),
            ["pki/sa.pub"] = Encoding.ASCII.GetBytes(caKey.ExportSubjectPublicKeyInfoPem()),
        }, [], null);
        var host = new HostIdentity("cp1", new Dictionary<string, string>
        {
            ["/etc/kubernetes/pki/ca.key"] = new string('a', 64),
            ["/etc/kubernetes/pki/sa.pub"] = new string('b', 64),
        }, [], null);

        var lines = ClusterIdentity.Differences(host, state, new Dictionary<string, byte[]>());

        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Matches("; the state has a file with sha256 [0-9a-f]{16}…$", l));
    }

    [Fact]
    public void The_differing_files_are_the_host_paths_whose_content_is_not_the_states_own()
    {
        var ca = Pem("CN=kubernetes");
        using var saKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var state = new StateIdentity("/state", true, new Dictionary<string, byte[]>
        {
            ["pki/ca.crt"] = ca,
            ["pki/sa.pub"] = Encoding.ASCII.GetBytes(saKey.ExportSubjectPublicKeyInfoPem()),
        }, [], null);
        var host = new HostIdentity("cp3", new Dictionary<string, string>
        {
            [HostCa] = Convert.ToHexStringLower(SHA256.HashData(ca)),
            ["/etc/kubernetes/pki/sa.pub"] = new string('b', 64),
            ["/etc/kubernetes/pki/front-proxy-ca.crt"] = new string('c', 64),
        }, [], null);

        // The state's own CA is the same; sa.pub differs; the state has no front-proxy CA to compare with.
        Assert.Equal(["/etc/kubernetes/pki/sa.pub"], ClusterIdentity.DifferingFiles(host, state));
    }

    [Fact]
    public void A_file_whose_state_copy_is_damaged_is_never_offered_for_rewriting_from_the_state()
    {
        // Removing the host's copy would have the next run write the damaged one in its place.
        var state = State(Encoding.ASCII.GetBytes("not a certificate"));

        Assert.Single(ClusterIdentity.Differences(Host(), state, new Dictionary<string, byte[]>()));
        Assert.Empty(ClusterIdentity.DifferingFiles(Host(), state));
    }

    private static HostIdentity Host(string path = HostCa) =>
        new("cp1", new Dictionary<string, string> { [path] = new string('a', 64) }, [], null);

    private static byte[] Pem(string subject, RSA key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return Encoding.ASCII.GetBytes(certificate.ExportCertificatePem());
    }

    
    private static StateIdentity State(byte[] ca) =>
        new("/state", true, new Dictionary<string, byte[]> { ["pki/ca.crt"] = ca }, [], null);

    private static byte[] Pem(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return Encoding.ASCII.GetBytes(certificate.ExportCertificatePem());
    }
}
