using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Phases.Nodes;
using Bootstrap.Core.Tests.Kubernetes;
using k8s.Models;

namespace Bootstrap.Core.Tests.Phases.Nodes;

public sealed class ClientCsrPhaseTests
{
    private const string NodeToken = "system:bootstrappers:bootstrap:nodes";
    private const string KubeadmToken = "system:bootstrappers:kubeadm:default-node-token";

    [Fact]
    public void Only_pending_requests_made_with_node_tokens_are_decided_by_the_token_they_were_made_with()
    {
        V1CertificateSigningRequest[] requests =
        [
            Csr("own", "tok001", NodeToken, "system:node:w2"),
            Csr("forged", "tok001", NodeToken, "system:node:cp1"),
            Csr("stale", "tok999", NodeToken, "system:node:w1"),
            Csr("decided", "tok001", NodeToken, "system:node:cp1", "Denied"),
            Csr("kubeadm", "kub001", KubeadmToken, "system:node:spare"),
        ];

        var decisions = ClientCsrPhase.Decisions(requests, new Dictionary<string, string> { ["w2"] = "tok001" })
            .ToDictionary(d => d.Csr.Metadata.Name, d => d.Decision);

        Assert.Equal(["forged", "own", "stale"], decisions.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(CsrVerdict.Approve, decisions["own"].Verdict);
        Assert.Equal(CsrVerdict.Deny, decisions["forged"].Verdict);
        Assert.Contains("expected system:node:w2", decisions["forged"].Reason, StringComparison.Ordinal);
        Assert.Equal(CsrVerdict.Deny, decisions["stale"].Verdict);
        Assert.Contains("no join of this run minted", decisions["stale"].Reason, StringComparison.Ordinal);
    }

    private static V1CertificateSigningRequest Csr(string name, string tokenId, string group, string cn, params string[] conditions) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1CertificateSigningRequestSpec
        {
            SignerName = NodeClientCsrPolicy.SignerName,
            Username = "system:bootstrap:" + tokenId,
            Groups = ["system:bootstrappers", group, "system:authenticated"],
            Usages = ["digital signature", "key encipherment", "client auth"],
            Request = CertificateRequests.Pem(cn),
        },
        Status = new V1CertificateSigningRequestStatus { Conditions = conditions.Select(c => new V1CertificateSigningRequestCondition { Type = c, Status = "True" }).ToList() },
    };
}
