using Bootstrap.Core.Config;

namespace Bootstrap.Core.Tests.Config;

/// <summary>The cluster file's fields for workloads: imageRepository, networking.cni, addons.coreDNS, artifacts.images.</summary>
public sealed class WorkloadFieldsTests
{
    private const string Minimal = """
        apiVersion: bootstrap.dev/v1alpha1
        kind: Cluster
        metadata:
          name: mini
        spec:
          kubernetesVersion: v1.20.2
          networking:
            hostSubnet: 10.0.0.0/24
            podSubnet: 10.244.0.0/16
            serviceSubnet: 10.96.0.0/12
          loadBalancer:
            type: haproxy-keepalived
            virtualIP: 10.0.0.10
          artifacts:
            directory: artifacts
          hosts:
            - name: lb1
              address: 10.0.0.11
              roles: [loadbalancer]
            - name: cp1
              address: 10.0.0.21
              roles: [control-plane]
        """;

    private static ClusterConfigLoadResult Load(string yaml) => ClusterConfigLoader.Load(yaml, "cluster.yaml", "/work/clusters", "/home/tester");

    private static ClusterConfig LoadValid(string yaml)
    {
        var result = Load(yaml);
        Assert.Empty(result.Errors);
        return Assert.IsType<ClusterConfig>(result.Config);
    }

    private static string Errors(string yaml) => string.Join('\n', Load(yaml).Errors.Select(e => e.ToString()));

    [Fact]
    public void Without_the_fields_the_cluster_is_kubeadms_default_with_bootstraps_bridge_network_and_coredns()
    {
        var config = LoadValid(Minimal);

        Assert.Equal("k8s.gcr.io", config.ImageRepository);
        Assert.Equal(PodNetwork.Bridge, config.Networking.Cni);
        Assert.True(config.Addons.CoreDns);
        Assert.Empty(config.Artifacts.Images);
    }

    [Fact]
    public void Every_field_is_read()
    {
        var config = LoadValid(Minimal
            .Replace("    serviceSubnet: 10.96.0.0/12", "    serviceSubnet: 10.96.0.0/12\n    cni: none", StringComparison.Ordinal)
            .Replace("    directory: artifacts", "    directory: artifacts\n    images: [pause.tar, app.tar.gz]\n  imageRepository: registry.example.com:5000/k8s\n  addons:\n    coreDNS: false", StringComparison.Ordinal));

        Assert.Equal(PodNetwork.None, config.Networking.Cni);
        Assert.Equal("registry.example.com:5000/k8s", config.ImageRepository);
        Assert.False(config.Addons.CoreDns);
        Assert.Equal(["pause.tar", "app.tar.gz"], config.Artifacts.Images);
    }

    [Theory]
    [InlineData("cni: calico", "spec.networking.cni: expected one of bridge, none; found \"calico\"")]
    [InlineData("cni: [bridge]", "spec.networking.cni: expected one of bridge, none; found a list")]
    public void An_unknown_pod_network_is_an_error_naming_the_choices(string field, string expected) =>
        Assert.Contains(expected, Errors(Minimal.Replace("    serviceSubnet: 10.96.0.0/12", "    serviceSubnet: 10.96.0.0/12\n    " + field, StringComparison.Ordinal)), StringComparison.Ordinal);

    [Theory]
    [InlineData("k8s.gcr.io/")]
    [InlineData("k8s.gcr.io/pause:3.2")]
    [InlineData("Registry.example.com/Upper")]
    [InlineData("has space")]
    public void An_image_repository_with_a_tag_a_trailing_slash_or_an_uppercase_path_is_an_error(string repository)
    {
        var errors = Errors(Minimal + $"\n  imageRepository: \"{repository}\"");

        Assert.Contains("spec.imageRepository: expected a registry with an optional path", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost:5000")]
    [InlineData("registry.k8s.io")]
    [InlineData("harbor.corp.example/kubernetes/mirror")]
    public void Registries_with_ports_and_paths_are_image_repositories(string repository) =>
        Assert.Equal(repository, LoadValid(Minimal + $"\n  imageRepository: {repository}").ImageRepository);

    [Fact]
    public void An_image_listed_twice_or_named_like_a_binary_or_a_path_is_an_error_at_its_position()
    {
        var errors = Load(Minimal.Replace("    directory: artifacts", "    directory: artifacts\n    images: [a.tar, a.tar, kubelet, dir/b.tar]", StringComparison.Ordinal)).Errors;

        Assert.Contains(errors, e => e.Path == "spec.artifacts.images[1]" && e.Message.Contains("\"a.tar\" is listed twice", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "spec.artifacts.images[2]" && e.Message.Contains("not a binary", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "spec.artifacts.images[3]" && e.Message.Contains("no '/'", StringComparison.Ordinal));
    }

    [Fact]
    public void With_a_base_url_every_image_needs_its_sha256()
    {
        var sums = string.Concat(ArtifactsSpec.RequiredFiles.Select(f => $"\n      {f}: {new string('a', 64)}"));
        var yaml = Minimal.Replace(
            "    directory: artifacts",
            $"    baseUrl: https://example.com/v1.20.2/\n    images: [pause.tar, app.tar]\n    sha256:{sums}\n      pause.tar: {new string('b', 64)}",
            StringComparison.Ordinal);

        Assert.Contains("spec.artifacts.images: with baseUrl every image archive needs a sha256 in spec.artifacts.sha256; missing: app.tar", Errors(yaml), StringComparison.Ordinal);
        Assert.Equal(["pause.tar"], LoadValid(yaml.Replace("[pause.tar, app.tar]", "[pause.tar]", StringComparison.Ordinal)).Artifacts.Images);
    }

    [Fact]
    public void Addons_take_only_core_dns_as_a_boolean()
    {
        Assert.Contains("spec.addons.coreDNS: expected one of true, false; found \"no\"", Errors(Minimal + "\n  addons:\n    coreDNS: \"no\""), StringComparison.Ordinal);
        Assert.Contains("spec.addons.kubeProxy: unknown field", Errors(Minimal + "\n  addons:\n    kubeProxy: false"), StringComparison.Ordinal);
    }
}
