using System.Text;
using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;
using k8s.Models;

namespace Bootstrap.Core.Tests.Kubernetes;

/// <summary>Real PKCS#10 requests, made here with BouncyCastle the way a kubelet makes them, against the lab cluster.</summary>
public sealed class KubeletServingCsrPolicyTests
{
    private static readonly ClusterConfig Config = LabCluster.Load();

    [Fact]
    public void A_node_asking_for_its_own_name_and_address_is_approved()
    {
        var decision = Decide(Csr());

        Assert.True(decision.Approve, decision.Reason);
    }

    [Fact]
    public void A_request_with_only_the_ip_address_is_approved() =>
        Assert.True(Decide(Csr(request: Request(dns: [], ips: ["192.168.56.31"]))).Approve);

    [Fact]
    public void Another_signer_stays_pending() =>
        AssertPending(Csr(signer: "kubernetes.io/kube-apiserver-client-kubelet"), "signer");

    [Fact]
    public void A_request_from_a_user_who_is_not_a_node_stays_pending() =>
        AssertPending(Csr(username: "system:bootstrap:abcdef"), "not by a node");

    [Fact]
    public void A_node_that_is_not_in_the_cluster_file_stays_pending() =>
        AssertPending(Csr(username: "system:node:w9", request: Request(cn: "system:node:w9", dns: ["w9"])), "not a host of cluster lab");

    [Fact]
    public void A_host_without_a_kubelet_stays_pending() =>
        AssertPending(Csr(username: "system:node:lb1", request: Request(cn: "system:node:lb1", dns: ["lb1"], ips: ["192.168.56.11"])), "runs no kubelet");

    [Fact]
    public void A_requester_outside_system_nodes_stays_pending() =>
        AssertPending(Csr(groups: ["system:authenticated"]), "not in group system:nodes");

    [Theory]
    [InlineData("digital signature", "server auth")]
    [InlineData("digital signature", "key encipherment", "server auth", "client auth")]
    [InlineData("digital signature", "key encipherment", "client auth")]
    public void Other_usages_stay_pending(params string[] usages) =>
        AssertPending(Csr(usages: usages), "usages are");

    [Fact]
    public void Garbage_instead_of_a_request_stays_pending() =>
        AssertPending(Csr(request: Encoding.ASCII.GetBytes("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n")), "not a PEM-encoded PKCS#10");

    [Fact]
    public void A_request_whose_signature_does_not_verify_stays_pending() =>
        AssertPending(Csr(request: CertificateRequests.Tampered(Request())), "signature does not verify");

    [Fact]
    public void A_common_name_of_another_node_stays_pending() =>
        AssertPending(Csr(request: Request(cn: "system:node:w2")), "subject CN");

    [Fact]
    public void An_organization_other_than_system_nodes_stays_pending() =>
        AssertPending(Csr(request: Request(org: "system:masters")), "subject O");

    [Fact]
    public void Extra_subject_attributes_stay_pending() =>
        AssertPending(Csr(request: Request(extraSubject: ",OU=ops")), "attributes other than CN and O");

    [Fact]
    public void A_dns_name_other_than_the_host_name_stays_pending() =>
        AssertPending(Csr(request: Request(dns: ["w1", "kubernetes.default"])), "DNS name \"kubernetes.default\"");

    [Fact]
    public void An_ip_address_other_than_the_hosts_stays_pending() =>
        AssertPending(Csr(request: Request(ips: ["192.168.56.31", "192.168.56.10"])), "IP address 192.168.56.10");

    [Fact]
    public void A_request_without_alternative_names_stays_pending() =>
        AssertPending(Csr(request: Request(dns: [], ips: [])), "no subject alternative names");

    [Fact]
    public void An_email_alternative_name_stays_pending() =>
        AssertPending(Csr(request: Request(emails: ["root@w1"])), "neither a DNS name nor an IP address");

    private static CsrDecision Decide(V1CertificateSigningRequest csr) => KubeletServingCsrPolicy.Decide(csr, Config);

    private static void AssertPending(V1CertificateSigningRequest csr, string reason)
    {
        var decision = Decide(csr);

        Assert.False(decision.Approve);
        Assert.Contains(reason, decision.Reason, StringComparison.Ordinal);
    }

    private static V1CertificateSigningRequest Csr(
        string signer = "kubernetes.io/kubelet-serving",
        string username = "system:node:w1",
        string[]? groups = null,
        string[]? usages = null,
        byte[]? request = null) => new()
        {
            ApiVersion = "certificates.k8s.io/v1",
            Kind = "CertificateSigningRequest",
            Metadata = new V1ObjectMeta { Name = "csr-test" },
            Spec = new V1CertificateSigningRequestSpec
            {
                SignerName = signer,
                Username = username,
                Groups = groups ?? ["system:nodes", "system:authenticated"],
                Usages = usages ?? ["digital signature", "key encipherment", "server auth"],
                Request = request ?? Request(),
            },
        };

    private static byte[] Request(
        string cn = "system:node:w1",
        string org = "system:nodes",
        string extraSubject = "",
        string[]? dns = null,
        string[]? ips = null,
        string[]? emails = null) =>
        CertificateRequests.Pem(cn, org, extraSubject, dns ?? ["w1"], ips ?? ["192.168.56.31"], emails);
}
