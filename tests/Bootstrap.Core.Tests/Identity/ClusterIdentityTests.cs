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
    public void A_state_ca_that_is_no_certificate_is_called_damaged_with_its_path_not_another_identity()
    {
        var state = State("garbage\n"u8.ToArray());

        var line = Assert.Single(ClusterIdentity.Differences(Host(), state, new Dictionary<string, byte[]>()));

        Assert.Contains($"; the state's {Path.Combine("/state", "pki/ca.crt")} is not a PEM certificate at all (sha256 ", line, StringComparison.Ordinal);
        Assert.EndsWith("the file is damaged; restore it from a backup of the state directory", line, StringComparison.Ordinal);
    }

    private static HostIdentity Host() =>
        new("cp1", new Dictionary<string, string> { [HostCa] = new string('a', 64) }, [], null);

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
