using System.Text;
using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;
using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Bootstrap.Core.Tests.Kubernetes;

/// <summary>The objects match kubeadm v1.20.2's names, rules and subjects (cmd/kubeadm/app/phases/...).</summary>
public sealed class KubeadmClusterObjectsTests
{
    private const string CaPem = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
    private const string TokenGroup = "system:bootstrappers:kubeadm:default-node-token";

    private static readonly ClusterConfig Config = LabCluster.Load();

    private static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> All => KubeadmClusterObjects.All(Config, CaPem);

    [Fact]
    public void Every_object_has_a_unique_kind_namespace_and_name_and_its_api_version()
    {
        Assert.All(All, o => Assert.False(string.IsNullOrEmpty(o.ApiVersion)));
        Assert.All(All, o => Assert.False(string.IsNullOrEmpty(o.Kind)));
        var keys = All.Select(o => $"{o.Kind}/{o.Metadata.NamespaceProperty}/{o.Metadata.Name}").ToArray();
        Assert.Equal(keys.Length, keys.Distinct().Count());
    }

    [Fact]
    public void The_objects_are_kubeadms_list_and_the_binding_for_bootstraps_node_tokens()
    {
        string[] expected =
        [
            "ConfigMap/kube-system/kubeadm-config",
            "Role/kube-system/kubeadm:nodes-kubeadm-config",
            "RoleBinding/kube-system/kubeadm:nodes-kubeadm-config",
            "ConfigMap/kube-system/kubelet-config-1.20",
            "Role/kube-system/kubeadm:kubelet-config-1.20",
            "RoleBinding/kube-system/kubeadm:kubelet-config-1.20",
            "ClusterRoleBinding//kubeadm:kubelet-bootstrap",
            "ClusterRole//kubeadm:get-nodes",
            "ClusterRoleBinding//kubeadm:get-nodes",
            "ClusterRoleBinding//kubeadm:node-autoapprove-bootstrap",
            "ClusterRoleBinding//kubeadm:node-autoapprove-certificate-rotation",
            "ClusterRoleBinding//bootstrap:kubelet-bootstrap",
            "ConfigMap/kube-public/cluster-info",
            "Role/kube-public/kubeadm:bootstrap-signer-clusterinfo",
            "RoleBinding/kube-public/kubeadm:bootstrap-signer-clusterinfo",
            "ServiceAccount/kube-system/kube-proxy",
            "ConfigMap/kube-system/kube-proxy",
            "ClusterRoleBinding//kubeadm:node-proxier",
            "Role/kube-system/kube-proxy",
            "RoleBinding/kube-system/kube-proxy",
        ];

        Assert.Equal(expected, All.Select(o => $"{o.Kind}/{o.Metadata.NamespaceProperty}/{o.Metadata.Name}"));
    }

    [Theory]
    [InlineData("kubeadm:kubelet-bootstrap", "system:node-bootstrapper", "Group", TokenGroup)]
    [InlineData("kubeadm:get-nodes", "kubeadm:get-nodes", "Group", TokenGroup)]
    [InlineData("kubeadm:node-autoapprove-bootstrap", "system:certificates.k8s.io:certificatesigningrequests:nodeclient", "Group", TokenGroup)]
    [InlineData("kubeadm:node-autoapprove-certificate-rotation", "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", "Group", "system:nodes")]
    [InlineData("kubeadm:node-proxier", "system:node-proxier", "ServiceAccount", "kube-proxy")]
    [InlineData("bootstrap:kubelet-bootstrap", "system:node-bootstrapper", "Group", "system:bootstrappers:bootstrap:nodes")]
    public void Cluster_role_bindings_bind_kubeadms_role_to_kubeadms_subject(string name, string clusterRole, string kind, string subject)
    {
        var binding = All.OfType<V1ClusterRoleBinding>().Single(b => b.Metadata.Name == name);

        Assert.Equal("ClusterRole", binding.RoleRef.Kind);
        Assert.Equal("rbac.authorization.k8s.io", binding.RoleRef.ApiGroup);
        Assert.Equal(clusterRole, binding.RoleRef.Name);
        var only = Assert.Single(binding.Subjects);
        Assert.Equal(kind, only.Kind);
        Assert.Equal(subject, only.Name);
        Assert.Equal(kind == "ServiceAccount" ? "kube-system" : null, only.NamespaceProperty);
    }

    [Fact]
    public void Get_nodes_allows_only_get_on_nodes()
    {
        var role = All.OfType<V1ClusterRole>().Single(r => r.Metadata.Name == "kubeadm:get-nodes");

        var rule = Assert.Single(role.Rules);
        Assert.Equal(["get"], rule.Verbs);
        Assert.Equal([""], rule.ApiGroups);
        Assert.Equal(["nodes"], rule.Resources);
        Assert.Null(rule.ResourceNames);
    }

    [Theory]
    [InlineData("kube-public", "kubeadm:bootstrap-signer-clusterinfo", "cluster-info", "User:system:anonymous")]
    [InlineData("kube-system", "kubeadm:nodes-kubeadm-config", "kubeadm-config", "Group:" + TokenGroup, "Group:system:nodes")]
    [InlineData("kube-system", "kubeadm:kubelet-config-1.20", "kubelet-config-1.20", "Group:system:nodes", "Group:" + TokenGroup)]
    [InlineData("kube-system", "kube-proxy", "kube-proxy", "Group:" + TokenGroup)]
    public void Roles_allow_only_get_on_their_config_map_for_kubeadms_subjects(string ns, string name, string configMap, params string[] subjects)
    {
        var role = All.OfType<V1Role>().Single(r => r.Metadata.Name == name && r.Metadata.NamespaceProperty == ns);
        var binding = All.OfType<V1RoleBinding>().Single(r => r.Metadata.Name == name && r.Metadata.NamespaceProperty == ns);

        var rule = Assert.Single(role.Rules);
        Assert.Equal(["get"], rule.Verbs);
        Assert.Equal([""], rule.ApiGroups);
        Assert.Equal(["configmaps"], rule.Resources);
        Assert.Equal([configMap], rule.ResourceNames);
        Assert.Equal(("Role", name), (binding.RoleRef.Kind, binding.RoleRef.Name));
        Assert.Equal(subjects, binding.Subjects.Select(s => $"{s.Kind}:{s.Name}"));
        Assert.Contains(All.OfType<V1ConfigMap>(), c => c.Metadata.Name == configMap && c.Metadata.NamespaceProperty == ns);
    }

    [Fact]
    public void Bootstrap_tokens_get_no_more_than_kubeadm_grants_them_and_bootstraps_node_tokens_may_only_post_csrs()
    {
        IEnumerable<string> Granted(string group) => All.OfType<V1ClusterRoleBinding>()
            .Where(b => b.Subjects.Any(s => s.Name == group))
            .Select(b => $"ClusterRole {b.RoleRef.Name}")
            .Concat(All.OfType<V1RoleBinding>()
                .Where(b => b.Subjects.Any(s => s.Name == group))
                .Select(b => $"Role {b.Metadata.NamespaceProperty}/{b.RoleRef.Name}"))
            .Order(StringComparer.Ordinal);

        Assert.Equal(
            [
                "ClusterRole kubeadm:get-nodes",
                "ClusterRole system:certificates.k8s.io:certificatesigningrequests:nodeclient",
                "ClusterRole system:node-bootstrapper",
                "Role kube-system/kube-proxy",
                "Role kube-system/kubeadm:kubelet-config-1.20",
                "Role kube-system/kubeadm:nodes-kubeadm-config",
            ],
            Granted(TokenGroup));
        Assert.Equal(["ClusterRole system:node-bootstrapper"], Granted(NodeClientCsrPolicy.TokenGroup));
        Assert.DoesNotContain(All.OfType<V1ClusterRoleBinding>().SelectMany(b => b.Subjects), s => s.Name is "system:bootstrappers" or "system:authenticated");
    }

    [Fact]
    public void Only_cluster_info_is_open_to_anonymous_users_and_nothing_to_every_authenticated_user()
    {
        var subjects = All.OfType<V1RoleBinding>().SelectMany(b => b.Subjects.Select(s => (b.Metadata.Name, s)))
            .Concat(All.OfType<V1ClusterRoleBinding>().SelectMany(b => b.Subjects.Select(s => (b.Metadata.Name, s))))
            .ToArray();

        var anonymous = Assert.Single(subjects, x => x.s.Name is "system:anonymous" or "system:unauthenticated");
        Assert.Equal("kubeadm:bootstrap-signer-clusterinfo", anonymous.Name);
        Assert.DoesNotContain(subjects, x => x.s.Name == "system:authenticated");
    }

    [Fact]
    public void Cluster_info_holds_a_kubeconfig_with_only_the_cluster()
    {
        var configMap = All.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == "cluster-info");
        var root = LoadYaml(Assert.Single(configMap.Data, d => d.Key == "kubeconfig").Value);

        var cluster = (YamlMappingNode)((YamlMappingNode)((YamlSequenceNode)root["clusters"]).Children.Single())["cluster"];
        Assert.Equal("https://192.168.56.10:6443", Scalar(cluster["server"]));
        Assert.Equal(CaPem, Encoding.ASCII.GetString(Convert.FromBase64String(Scalar(cluster["certificate-authority-data"]))));
        Assert.Equal(["certificate-authority-data", "server"], cluster.Children.Keys.Select(Scalar));
        Assert.Equal("null", Scalar(root["users"]));
        Assert.Equal("null", Scalar(root["contexts"]));
        Assert.Equal("Config", Scalar(root["kind"]));
    }

    [Fact]
    public void Kubeadm_config_holds_a_v1beta2_cluster_configuration_of_the_cluster_file()
    {
        var configMap = All.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == "kubeadm-config");
        var root = LoadYaml(configMap.Data["ClusterConfiguration"]);

        Assert.Equal("kubeadm.k8s.io/v1beta2", Scalar(root["apiVersion"]));
        Assert.Equal("ClusterConfiguration", Scalar(root["kind"]));
        Assert.Equal("v1.20.2", Scalar(root["kubernetesVersion"]));
        Assert.Equal("192.168.56.10:6443", Scalar(root["controlPlaneEndpoint"]));
        Assert.Equal("lab", Scalar(root["clusterName"]));
        var networking = (YamlMappingNode)root["networking"];
        Assert.Equal("10.244.0.0/16", Scalar(networking["podSubnet"]));
        Assert.Equal("10.96.0.0/12", Scalar(networking["serviceSubnet"]));
        Assert.Equal("cluster.local", Scalar(networking["dnsDomain"]));
        Assert.Equal("/var/lib/etcd", Scalar(((YamlMappingNode)((YamlMappingNode)root["etcd"])["local"])["dataDir"]));

        var status = LoadYaml(configMap.Data["ClusterStatus"]);
        var endpoints = (YamlMappingNode)status["apiEndpoints"];
        Assert.Equal(["cp1", "cp2", "cp3"], endpoints.Children.Keys.Select(Scalar));
        Assert.Equal("192.168.56.22", Scalar(((YamlMappingNode)endpoints["cp2"])["advertiseAddress"]));
    }

    [Fact]
    public void Dedicated_etcd_is_external_to_kubeadm_and_listed_with_the_api_servers_client_certificate()
    {
        var config = Config with { Etcd = new EtcdSpec { Topology = EtcdTopology.Dedicated } };

        var etcd = KubeadmClusterConfiguration.ClusterConfiguration(config)["etcd"]!["external"]!;

        Assert.Equal("/etc/kubernetes/pki/apiserver-etcd-client.crt", (string?)etcd["certFile"]);
        Assert.Equal("/etc/kubernetes/pki/etcd/ca.crt", (string?)etcd["caFile"]);
    }

    [Fact]
    public void Kubelet_and_kube_proxy_config_maps_hold_the_rendered_configurations()
    {
        var kubelet = All.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == "kubelet-config-1.20");
        var proxy = All.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == "kube-proxy");

        Assert.Equal(KubeletConfiguration.ToYaml(Config), kubelet.Data["kubelet"]);
        Assert.Equal(KubeProxyConfiguration.ToYaml(Config), proxy.Data["config.conf"]);
        Assert.Equal("kube-proxy", proxy.Metadata.Labels["app"]);
        var kubeconfig = LoadYaml(proxy.Data["kubeconfig.conf"]);
        var cluster = (YamlMappingNode)((YamlMappingNode)((YamlSequenceNode)kubeconfig["clusters"]).Children.Single())["cluster"];
        Assert.Equal("https://192.168.56.10:6443", Scalar(cluster["server"]));
    }

    [Fact]
    public void The_kubelet_config_map_name_follows_the_minor_version()
    {
        var objects = KubeadmClusterObjects.KubeletConfig(Config.AtVersion(21));

        Assert.Equal(["kubelet-config-1.21", "kubeadm:kubelet-config-1.21", "kubeadm:kubelet-config-1.21"], objects.Select(o => o.Metadata.Name));
    }

    private static YamlMappingNode LoadYaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string Scalar(YamlNode node) => ((YamlScalarNode)node).Value ?? string.Empty;
}
