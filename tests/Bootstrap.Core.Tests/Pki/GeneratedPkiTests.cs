using System.Security.Cryptography;
using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using Bootstrap.Core.Pki;

namespace Bootstrap.Core.Tests.Pki;

/// <summary>What a freshly generated PKI looks like, checked with the real openssl and with .NET's own X.509 parser (not BouncyCastle, which generated it).</summary>
public sealed class GeneratedPkiTests(GeneratedPkiFixture fixture) : IClassFixture<GeneratedPkiFixture>
{
    public static TheoryData<string> Algorithms => new() { "rsa-2048", "ecdsa-p256" };

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Every_certificate_verifies_with_openssl_against_its_own_ca(string algorithm)
    {
        var pki = fixture.For(algorithm);
        foreach (var spec in pki.Specs)
        {
            var ca = pki.CaFile(spec.CaName ?? spec.Name);
            Assert.True(OpenSsl.Verifies(ca, pki.CertificateFile(spec)), $"{spec.Name} does not verify against {spec.CaName ?? spec.Name}");
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Every_certificate_fails_openssl_verification_against_the_other_cas(string algorithm)
    {
        var pki = fixture.For(algorithm);
        foreach (var spec in pki.Specs)
        {
            foreach (var other in CertificateCatalog.AuthorityNames.Where(ca => ca != (spec.CaName ?? spec.Name)))
            {
                Assert.False(OpenSsl.Verifies(pki.CaFile(other), pki.CertificateFile(spec)), $"{spec.Name} verifies against {other}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Etcd_certificates_do_not_verify_against_the_cluster_ca(string algorithm)
    {
        var pki = fixture.For(algorithm);
        var etcdLeaves = pki.Specs.Where(s => s.CaName == CertificateCatalog.EtcdCa).ToArray();
        Assert.Equal(8, etcdLeaves.Length);
        foreach (var spec in etcdLeaves)
        {
            Assert.False(OpenSsl.Verifies(pki.CaFile(CertificateCatalog.Ca), pki.CertificateFile(spec)), spec.Name);
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Subject_key_usage_extended_key_usage_and_sans_match_the_catalog(string algorithm)
    {
        var pki = fixture.For(algorithm);
        foreach (var spec in pki.Specs)
        {
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(pki.CertificateFile(spec)));
            Assert.Equal(spec.CommonName, certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
            Assert.Equal(spec.Organizations, Organizations(certificate.SubjectName));

            var basic = certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single();
            var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().Single();
            Assert.True(basic.Critical && usage.Critical, spec.Name);
            if (spec.Kind == CertificateKind.Authority)
            {
                Assert.True(basic.CertificateAuthority, spec.Name);
                Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyCertSign, usage.KeyUsages);
                Assert.Empty(certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>());
                continue;
            }

            Assert.False(basic.CertificateAuthority, spec.Name);
            Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, usage.KeyUsages);
            var ekus = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).ToHashSet();
            var expected = new HashSet<string?>();
            if (spec.Purposes.HasFlag(KeyPurposes.ServerAuth))
            {
                expected.Add("1.3.6.1.5.5.7.3.1");
            }

            if (spec.Purposes.HasFlag(KeyPurposes.ClientAuth))
            {
                expected.Add("1.3.6.1.5.5.7.3.2");
            }

            Assert.Equal(expected, ekus);

            var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SingleOrDefault();
            Assert.Equal(spec.DnsNames, san?.EnumerateDnsNames().ToArray() ?? []);
            Assert.Equal(spec.IpAddresses, san?.EnumerateIPAddresses().ToArray() ?? []);
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Openssl_shows_the_apiserver_sans_and_etcd_loopbacks(string algorithm)
    {
        var pki = fixture.For(algorithm);
        var apiserver = OpenSsl.RunChecked("x509", "-noout", "-ext", "subjectAltName", "-in", Path.Combine(pki.State, "pki", "apiserver.crt"));
        foreach (var expected in new[] { "DNS:kubernetes.default.svc.cluster.local", "DNS:cp3", "DNS:api.example.test", "IP Address:10.96.0.1", "IP Address:10.0.0.10", "IP Address:192.0.2.7" })
        {
            Assert.Contains(expected, apiserver, StringComparison.Ordinal);
        }

        var peer = OpenSsl.RunChecked("x509", "-noout", "-subject", "-ext", "subjectAltName,extendedKeyUsage", "-in", Path.Combine(pki.State, "hosts", "cp2", "pki", "etcd", "peer.crt"));
        Assert.Contains("CN=cp2", peer.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("DNS:cp2, DNS:localhost, IP Address:10.0.0.12, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1", peer, StringComparison.Ordinal);
        Assert.Contains("TLS Web Server Authentication, TLS Web Client Authentication", peer, StringComparison.Ordinal);

        var admin = OpenSsl.RunChecked("x509", "-noout", "-subject", "-in", pki.CertificateFile(pki.Specs.Single(s => s.Name == "admin.conf")));
        Assert.Equal("subject=O=system:masters,CN=kubernetes-admin", admin.Replace(" ", string.Empty, StringComparison.Ordinal).Trim());
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Every_private_key_matches_its_certificate_according_to_openssl(string algorithm)
    {
        var pki = fixture.For(algorithm);
        foreach (var spec in pki.Specs)
        {
            var fromCertificate = OpenSsl.RunChecked("x509", "-noout", "-pubkey", "-in", pki.CertificateFile(spec));
            var fromKey = OpenSsl.RunChecked("pkey", "-pubout", "-in", pki.KeyFile(spec));
            Assert.Equal(fromCertificate, fromKey);
        }

        var saPublic = OpenSsl.RunChecked("pkey", "-pubout", "-in", Path.Combine(pki.State, "pki", "sa.key"));
        Assert.Equal(File.ReadAllText(Path.Combine(pki.State, "pki", "sa.pub")), saPublic);
    }

    [Theory]
    [InlineData("rsa-2048", "RSA PRIVATE KEY")]
    [InlineData("ecdsa-p256", "EC PRIVATE KEY")]
    public void Keys_are_written_in_the_pem_forms_kubeadm_uses(string algorithm, string label)
    {
        var pki = fixture.For(algorithm);
        foreach (var spec in pki.Specs)
        {
            Assert.StartsWith($"-----BEGIN {label}-----\n", File.ReadAllText(pki.KeyFile(spec)), StringComparison.Ordinal);
            Assert.StartsWith("-----BEGIN CERTIFICATE-----\n", File.ReadAllText(pki.CertificateFile(spec)), StringComparison.Ordinal);
        }

        Assert.StartsWith($"-----BEGIN {label}-----\n", File.ReadAllText(Path.Combine(pki.State, "pki", "sa.key")), StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----\n", File.ReadAllText(Path.Combine(pki.State, "pki", "sa.pub")), StringComparison.Ordinal);
        var text = OpenSsl.RunChecked("pkey", "-noout", "-text", "-in", Path.Combine(pki.State, "pki", "ca.key"));
        Assert.Contains(algorithm == "rsa-2048" ? "Private-Key: (2048 bit" : "NIST CURVE: P-256", text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    [SupportedOSPlatform("linux")]
    public void Directories_are_0700_keys_and_kubeconfigs_0600_certificates_and_public_keys_0644(string algorithm)
    {
        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        const UnixFileMode Public = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        const UnixFileMode Directories = Private | UnixFileMode.UserExecute;
        var pki = fixture.For(algorithm);

        Assert.Equal(Directories, File.GetUnixFileMode(pki.State));
        foreach (var directory in Directory.EnumerateDirectories(pki.State, "*", SearchOption.AllDirectories))
        {
            Assert.Equal(Directories, File.GetUnixFileMode(directory));
        }

        var files = Directory.EnumerateFiles(pki.State, "*", SearchOption.AllDirectories).ToArray();
        Assert.DoesNotContain(files, f => f.EndsWith(".tmp", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var expected = file.EndsWith(".crt", StringComparison.Ordinal) || file.EndsWith(".pub", StringComparison.Ordinal) ? Public : Private;
            Assert.True(expected == File.GetUnixFileMode(file), $"{file} is {File.GetUnixFileMode(file)}");
        }

        Assert.Contains(files, f => f.EndsWith("admin.conf", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Cas_last_ten_years_and_leaves_one_year_starting_with_their_ca(string algorithm)
    {
        var pki = fixture.For(algorithm);
        var start = pki.GeneratedAt.AddTicks(-(pki.GeneratedAt.UtcTicks % TimeSpan.TicksPerSecond));
        foreach (var spec in pki.Specs)
        {
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(pki.CertificateFile(spec)));
            using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(pki.CaFile(spec.CaName ?? spec.Name)));
            var validity = spec.Kind == CertificateKind.Authority ? TimeSpan.FromDays(3650) : TimeSpan.FromDays(365);
            Assert.Equal(start.UtcDateTime, certificate.NotAfter.ToUniversalTime() - validity);
            Assert.Equal(ca.NotBefore, certificate.NotBefore);
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Kubeconfigs_embed_the_cluster_ca_and_point_at_the_endpoint_with_kubeadm_context_names(string algorithm)
    {
        var pki = fixture.For(algorithm);
        var caPem = File.ReadAllText(pki.CaFile(CertificateCatalog.Ca));
        foreach (var spec in pki.Specs.Where(s => s.Kind == CertificateKind.Kubeconfig))
        {
            var text = File.ReadAllText(Path.Combine(pki.State, spec.Path));
            var kubeconfig = KubeconfigFile.TryParse(File.ReadAllBytes(Path.Combine(pki.State, spec.Path)))!;
            Assert.Equal("https://10.0.0.10:6443", kubeconfig.Server);
            Assert.Equal(caPem, kubeconfig.CaPem);
            Assert.Equal(spec.CommonName, kubeconfig.UserName);
            Assert.Contains($"current-context: {spec.CommonName}@kubernetes\n", text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Ca_cert_hash_is_sha256_of_the_subject_public_key_info_as_openssl_extracts_it(string algorithm)
    {
        var pki = fixture.For(algorithm);
        var publicKeyPem = Path.Combine(pki.Directory.Path, "ca-pub.pem");
        var publicKeyDer = Path.Combine(pki.Directory.Path, $"ca-pub-{algorithm}.der");
        File.WriteAllText(publicKeyPem, OpenSsl.RunChecked("x509", "-noout", "-pubkey", "-in", pki.CaFile(CertificateCatalog.Ca)));
        OpenSsl.RunChecked("pkey", "-pubin", "-in", publicKeyPem, "-outform", "DER", "-out", publicKeyDer);
        var expected = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(publicKeyDer)));

        Assert.Equal(expected, await PkiManager.GetCaCertHashAsync(pki.State, CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void First_generation_reports_every_entry_as_created(string algorithm)
    {
        var pki = fixture.For(algorithm);
        Assert.All(pki.Changes.Items, c => Assert.Equal(PkiChangeAction.Created, c.Action));
        Assert.Equal(pki.Specs.Count + 1, pki.Changes.Items.Count);
    }

    private static string[] Organizations(X500DistinguishedName name)
    {
        var organizations = new List<string>();
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.GetSingleElementType().Value == "2.5.4.10")
            {
                organizations.Add(rdn.GetSingleElementValue()!);
            }
        }

        return organizations.ToArray();
    }
}
