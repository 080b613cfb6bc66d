using System.Text;
using Bootstrap.Core.Kubernetes;
using k8s.Models;

namespace Bootstrap.Core.Tests.Kubernetes;

/// <summary>
/// Requests made with the node token Bootstrap minted for w2 (id abcdef): only w2's own kubelet client request is
/// approved; everything else made with the token is denied with the reason. Real PKCS#10 requests.
/// </summary>
public sealed class NodeClientCsrPolicyTests
{
    [Fact]
    public void The_kubelets_own_client_request_for_the_node_its_token_was_minted_for_is_approved()
    {
        var decision = NodeClientCsrPolicy.Decide(Csr(), "w2");

        Assert.Equal(CsrVerdict.Approve, decision.Verdict);
        Assert.Equal("the kubelet on w2 requests its client certificate with the bootstrap token minted for it", decision.Reason);
    }

    [Fact]
    public void A_worker_token_asking_for_a_control_plane_node_is_denied_naming_both()
    {
        var decision = NodeClientCsrPolicy.Decide(Csr(request: CertificateRequests.Pem("system:node:cp1")), "w2");

        AssertDenied(decision, "subject CN is [system:node:cp1], expected system:node:w2 (token abcdef was minted for w2)");
    }

    [Fact]
    public void A_request_made_with_a_token_no_join_of_this_run_minted_is_denied() =>
        AssertDenied(NodeClientCsrPolicy.Decide(Csr(), nodeName: null), "which no join of this run minted");

    [Theory]
    [InlineData("kubernetes.io/kube-apiserver-client", "not signer \"kubernetes.io/kube-apiserver-client\"")]
    [InlineData("kubernetes.io/kubelet-serving", "not signer \"kubernetes.io/kubelet-serving\"")]
    public void Another_signer_is_denied(string signer, string reason) =>
        AssertDenied(NodeClientCsrPolicy.Decide(Csr(signer: signer), "w2"), reason);

    [Theory]
    [InlineData("digital signature", "key encipherment", "client auth", "server auth")]
    [InlineData("digital signature", "client auth")]
    [InlineData("digital signature", "key encipherment", "server auth")]
    public void Other_usages_are_denied(params string[] usages) =>
        AssertDenied(NodeClientCsrPolicy.Decide(Csr(usages: usages), "w2"), "usages are [");

    [Fact]
    public void The_masters_group_or_extra_subject_attributes_are_denied()
    {
        AssertDenied(NodeClientCsrPolicy.Decide(Csr(request: CertificateRequests.Pem("system:node:w2", org: "system:masters")), "w2"), "subject O is [system:masters]");
        AssertDenied(NodeClientCsrPolicy.Decide(Csr(request: CertificateRequests.Pem("system:node:w2", extraSubject: ",OU=ops")), "w2"), "attributes other than CN and O");
    }

    [Fact]
    public void Alternative_names_are_denied() =>
        AssertDenied(NodeClientCsrPolicy.Decide(Csr(request: CertificateRequests.Pem("system:node:w2", dns: ["w2"])), "w2"), "no subject alternative names");

    [Fact]
    public void Garbage_or_a_request_whose_signature_does_not_verify_is_denied()
    {
        AssertDenied(NodeClientCsrPolicy.Decide(Csr(request: Encoding.ASCII.GetBytes("not a request")), "w2"), "not a PEM-encoded PKCS#10");
        AssertDenied(NodeClientCsrPolicy.Decide(Csr(request: CertificateRequests.Tampered(CertificateRequests.Pem("system:node:w2"))), "w2"), "signature does not verify");
    }

    [Fact]
    public void Only_requests_made_with_a_node_token_are_its_and_the_token_id_is_read_from_the_requester()
    {
        var kubeadm = Csr(groups: ["system:bootstrappers", "system:bootstrappers:kubeadm:default-node-token", "system:authenticated"]);

        Assert.True(NodeClientCsrPolicy.MadeWithNodeToken(Csr()));
        Assert.False(NodeClientCsrPolicy.MadeWithNodeToken(kubeadm));
        Assert.Equal("abcdef", NodeClientCsrPolicy.TokenId(Csr()));
        Assert.Null(NodeClientCsrPolicy.TokenId(Csr(username: "system:node:w2")));
    }

    private static void AssertDenied(CsrDecision decision, string reason)
    {
        Assert.Equal(CsrVerdict.Deny, decision.Verdict);
        Assert.Contains(reason, decision.Reason, StringComparison.Ordinal);
    }

    private static V1CertificateSigningRequest Csr(
        string signer = "kubernetes.io/kube-apiserver-client-kubelet",
        string username = "system:bootstrap:abcdef",
        string[]? groups = null,
        string[]? usages = null,
        byte[]? request = null) => new()
        {
            ApiVersion = "certificates.k8s.io/v1",
            Kind = "CertificateSigningRequest",
            Metadata = new V1ObjectMeta { Name = "node-csr-test" },
            Spec = new V1CertificateSigningRequestSpec
            {
                SignerName = signer,
                Username = username,
                Groups = groups ?? ["system:bootstrappers", "system:bootstrappers:bootstrap:nodes", "system:authenticated"],
                Usages = usages ?? ["digital signature", "key encipherment", "client auth"],
                Request = request ?? CertificateRequests.Pem("system:node:w2"),
            },
        };
}
