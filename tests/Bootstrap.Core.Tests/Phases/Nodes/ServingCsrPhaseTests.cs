using Bootstrap.Core.Phases.Nodes;
using k8s.Models;

namespace Bootstrap.Core.Tests.Phases.Nodes;

public sealed class ServingCsrPhaseTests
{
    private static V1CertificateSigningRequest Csr(string signer, string user, params string[] conditions) => Csr(signer, user, null, conditions);

    private static V1CertificateSigningRequest Csr(string signer, string user, DateTime? created, params string[] conditions) => new()
    {
        Metadata = new V1ObjectMeta { Name = "csr-" + user, CreationTimestamp = created },
        Spec = new V1CertificateSigningRequestSpec { SignerName = signer, Username = user, Request = [] },
        Status = new V1CertificateSigningRequestStatus { Conditions = conditions.Select(c => new V1CertificateSigningRequestCondition { Type = c, Status = "True" }).ToList() },
    };

    [Fact]
    public void A_request_without_conditions_is_pending_an_approved_or_denied_one_is_not()
    {
        Assert.True(ServingCsrPhase.IsPending(Csr("kubernetes.io/kubelet-serving", "system:node:w1")));
        Assert.True(ServingCsrPhase.IsPending(new V1CertificateSigningRequest { Spec = new V1CertificateSigningRequestSpec() }));
        Assert.False(ServingCsrPhase.IsPending(Csr("kubernetes.io/kubelet-serving", "system:node:w1", "Approved")));
        Assert.False(ServingCsrPhase.IsPending(Csr("kubernetes.io/kubelet-serving", "system:node:w1", "Denied")));
    }

    [Fact]
    public void The_phase_waits_until_every_node_that_joined_has_asked_for_a_serving_certificate()
    {
        var requests = new[]
        {
            Csr("kubernetes.io/kube-apiserver-client-kubelet", "system:bootstrap:abcdef", At(10)),
            Csr("kubernetes.io/kubelet-serving", "system:node:w1", At(12)),
        };

        Assert.True(ServingCsrPhase.EveryNodeAsked(requests, new Dictionary<string, string> { ["w1"] = "abcdef" }));
        Assert.False(ServingCsrPhase.EveryNodeAsked(requests, new Dictionary<string, string> { ["w1"] = "abcdef", ["w2"] = "ghijkl" }));
        Assert.True(ServingCsrPhase.EveryNodeAsked(requests, new Dictionary<string, string>()));
    }

    [Fact]
    public void A_serving_request_from_an_earlier_join_of_the_same_node_does_not_count()
    {
        var requests = new[]
        {
            Csr("kubernetes.io/kubelet-serving", "system:node:w1", At(0), "Approved"),
            Csr("kubernetes.io/kube-apiserver-client-kubelet", "system:bootstrap:abcdef", At(600)),
        };

        Assert.False(ServingCsrPhase.EveryNodeAsked(requests, new Dictionary<string, string> { ["w1"] = "abcdef" }));
    }

    private static DateTime At(int seconds) => new DateTime(2026, 11, 30, 4, 0, 0, DateTimeKind.Utc).AddSeconds(seconds);
}
