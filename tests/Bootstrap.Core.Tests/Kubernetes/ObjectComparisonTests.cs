using Bootstrap.Core.Kubernetes;
using k8s.Models;

namespace Bootstrap.Core.Tests.Kubernetes;

public sealed class ObjectComparisonTests
{
    private static V1ConfigMap Map(string value) =>
        Rbac.ConfigMap("kubeadm-config", "kube-system", new Dictionary<string, string>(StringComparer.Ordinal) { ["ClusterConfiguration"] = value });

    [Fact]
    public void Fields_only_the_server_fills_in_do_not_make_an_object_differ()
    {
        var onServer = Map("a");
        onServer.Metadata.ResourceVersion = "4711";
        onServer.Metadata.Uid = "0b6e3c2a-1111-2222-3333-444455556666";
        onServer.Metadata.CreationTimestamp = DateTime.UtcNow;
        onServer.Metadata.Annotations = new Dictionary<string, string> { ["someone"] = "else" };

        Assert.True(ObjectComparison.Matches(Map("a"), onServer));
    }

    [Fact]
    public void Different_data_differs()
    {
        Assert.False(ObjectComparison.Matches(Map("a"), Map("b")));
    }

    [Fact]
    public void A_service_account_with_its_token_secret_matches_the_bare_service_account()
    {
        var wanted = new V1ServiceAccount { ApiVersion = "v1", Kind = "ServiceAccount", Metadata = new V1ObjectMeta { Name = "kube-proxy", NamespaceProperty = "kube-system" } };
        var onServer = new V1ServiceAccount
        {
            ApiVersion = "v1",
            Kind = "ServiceAccount",
            Metadata = new V1ObjectMeta { Name = "kube-proxy", NamespaceProperty = "kube-system", ResourceVersion = "9" },
            Secrets = [new V1ObjectReference { Name = "kube-proxy-token-abcde" }],
        };

        Assert.True(ObjectComparison.Matches(wanted, onServer));
    }

    [Fact]
    public void A_binding_with_another_subject_differs()
    {
        var wanted = Rbac.ClusterRoleBinding("kubeadm:get-nodes", "kubeadm:get-nodes", Rbac.Group("system:bootstrappers:kubeadm:default-node-token"));
        var onServer = Rbac.ClusterRoleBinding("kubeadm:get-nodes", "kubeadm:get-nodes", Rbac.Group("system:nodes"));

        Assert.False(ObjectComparison.Matches(wanted, onServer));
    }

    [Fact]
    public void A_label_the_wanted_object_sets_must_be_on_the_server()
    {
        var wanted = Map("a");
        wanted.Metadata.Labels = new Dictionary<string, string> { ["app"] = "kube-proxy" };
        var onServer = Map("a");
        onServer.Metadata.Labels = new Dictionary<string, string> { ["app"] = "other", ["extra"] = "x" };

        Assert.False(ObjectComparison.Matches(wanted, onServer));
        onServer.Metadata.Labels["app"] = "kube-proxy";
        Assert.True(ObjectComparison.Matches(wanted, onServer));
    }

    [Fact]
    public void Objects_are_described_with_kind_namespace_and_name()
    {
        Assert.Equal("ConfigMap kube-system/kubeadm-config", ObjectComparison.Describe(Map("a")));
        Assert.Equal("ClusterRole kubeadm:get-nodes", ObjectComparison.Describe(KubeadmClusterObjects.NodeBootstrapRbac()[1]));
    }

    [Fact]
    public void Cluster_info_signed_by_the_bootstrap_signer_still_matches()
    {
        var config = LabCluster.Load();
        const string Ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        var wanted = (V1ConfigMap)KubeadmClusterObjects.ClusterInfo(config, Ca)[0];
        var signed = (V1ConfigMap)KubeadmClusterObjects.ClusterInfo(config, Ca)[0];
        signed.Data["jws-kubeconfig-abcdef"] = "eyJhbGciOiJIUzI1NiIsImtpZCI6ImFiY2RlZiJ9..c2lnbmF0dXJl";

        Assert.True(ObjectComparison.Matches(wanted, signed));
        signed.Data["kubeconfig"] = "changed";
        Assert.False(ObjectComparison.Matches(wanted, signed));
    }

    [Fact]
    public void A_service_the_server_completed_with_its_defaults_matches_the_wanted_spec()
    {
        var wanted = DnsService();
        var onServer = DnsService();
        onServer.Spec.ClusterIPs = ["10.96.0.10"];
        onServer.Spec.SessionAffinity = "None";
        onServer.Spec.Type = "ClusterIP";
        onServer.Spec.IpFamilies = ["IPv4"];

        Assert.True(ObjectComparison.Matches(wanted, onServer));
    }

    [Fact]
    public void A_spec_field_bootstrap_sets_that_differs_on_the_server_is_a_difference()
    {
        var onServer = DnsService();
        onServer.Spec.Ports[0].Port = 5353;

        Assert.False(ObjectComparison.Matches(DnsService(), onServer));
    }

    [Fact]
    public void Containment_compares_lists_item_by_item_with_their_length()
    {
        var wanted = System.Text.Json.Nodes.JsonNode.Parse("""{"a":[{"x":1}],"b":"c"}""");

        Assert.True(ObjectComparison.Contains(System.Text.Json.Nodes.JsonNode.Parse("""{"a":[{"x":1,"y":2}],"b":"c","d":3}"""), wanted));
        Assert.False(ObjectComparison.Contains(System.Text.Json.Nodes.JsonNode.Parse("""{"a":[{"x":1},{"x":2}],"b":"c"}"""), wanted));
        Assert.False(ObjectComparison.Contains(System.Text.Json.Nodes.JsonNode.Parse("""{"a":[{"x":1}]}"""), wanted));
    }

    private static V1Service DnsService() => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta { Name = "kube-dns", NamespaceProperty = "kube-system" },
        Spec = new V1ServiceSpec { ClusterIP = "10.96.0.10", Ports = [new V1ServicePort { Name = "dns", Port = 53, Protocol = "UDP", TargetPort = 53 }] },
    };
}
