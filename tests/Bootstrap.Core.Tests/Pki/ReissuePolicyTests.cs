using System.Net;
using Bootstrap.Core.Config;
using Bootstrap.Core.Pki;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.X509;

namespace Bootstrap.Core.Tests.Pki;

public sealed class ReissuePolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly PkiRequest Request = PkiRequests.Single() with { KeyAlgorithm = KeyAlgorithm.EcdsaP256 };
    private static readonly IReadOnlyList<CertificateSpec> Specs = CertificateCatalog.Build(Request);
    private static readonly AsymmetricCipherKeyPair CaKey = PrivateKeys.Generate(KeyAlgorithm.EcdsaP256);
    private static readonly X509Certificate Ca = CertificateIssuer.CreateAuthority(Specs.Single(s => s.Name == "ca"), CaKey, Now, TimeSpan.FromDays(3650));

    private static CertificateSpec ApiServer => Specs.Single(s => s.Name == "apiserver");

    [Fact]
    public void A_fresh_certificate_matching_its_entry_is_kept() =>
        Assert.Null(ReissuePolicy.Reason(ApiServer, Issue(ApiServer), Ca, Request, Now));

    [Fact]
    public void Sans_are_compared_as_sets_so_a_reordered_list_is_kept()
    {
        var reordered = ApiServer with { DnsNames = ApiServer.DnsNames.Reverse().ToArray(), IpAddresses = ApiServer.IpAddresses.Reverse().ToArray() };

        Assert.Null(ReissuePolicy.Reason(ApiServer, Issue(reordered), Ca, Request, Now));
    }

    [Fact]
    public void A_missing_san_is_a_reason()
    {
        var fewer = ApiServer with { IpAddresses = ApiServer.IpAddresses.Skip(1).ToArray() };

        Assert.Equal("SANs changed", ReissuePolicy.Reason(ApiServer, Issue(fewer), Ca, Request, Now));
    }

    [Fact]
    public void A_changed_subject_or_usage_is_a_reason()
    {
        Assert.Equal("subject (CN/O) changed", ReissuePolicy.Reason(ApiServer, Issue(ApiServer with { Organizations = ["system:masters"] }), Ca, Request, Now));
        Assert.Equal("extended key usages changed", ReissuePolicy.Reason(ApiServer, Issue(ApiServer with { Purposes = KeyPurposes.ClientAuth }), Ca, Request, Now));
    }

    [Fact]
    public void A_changed_key_algorithm_is_a_reason() =>
        Assert.Equal("key algorithm changed", ReissuePolicy.Reason(ApiServer, Issue(ApiServer), Ca, Request with { KeyAlgorithm = KeyAlgorithm.Rsa2048 }, Now));

    [Fact]
    public void The_renewal_window_starts_renew_before_the_expiry()
    {
        var credential = Issue(ApiServer);
        var expiry = Now.AddDays(365);

        Assert.Null(ReissuePolicy.Reason(ApiServer, credential, Ca, Request, expiry.AddDays(-30).AddSeconds(-1)));
        Assert.StartsWith("expires ", ReissuePolicy.Reason(ApiServer, credential, Ca, Request, expiry.AddDays(-30)), StringComparison.Ordinal);
    }

    [Fact]
    public void Printing_a_credential_or_kubeconfig_never_prints_the_key()
    {
        var credential = Issue(ApiServer);
        var kubeconfig = new KubeconfigFile("kubernetes", "https://x:6443", "CA", "u", credential.CertificatePem, credential.KeyPem);

        Assert.DoesNotContain("PRIVATE KEY", credential.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", kubeconfig.ToString(), StringComparison.Ordinal);
        Assert.Contains("kube-apiserver", credential.ToString(), StringComparison.Ordinal);
    }

    private static StoredCredential Issue(CertificateSpec spec)
    {
        var key = PrivateKeys.Generate(KeyAlgorithm.EcdsaP256);
        return StoredCredential.Create(CertificateIssuer.Issue(spec, key.Public, Ca, CaKey.Private, Now, TimeSpan.FromDays(365)), key);
    }
}
