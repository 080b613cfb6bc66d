using Bootstrap.Cli;
using Bootstrap.Core.Config;
using Bootstrap.Core.Tests.Cli;
using Bootstrap.Core.Tests.Pki;

namespace Bootstrap.Core.Tests.Config;

/// <summary>
/// What an admin should hear about a valid file: each warning with its position, and none of them an error
/// (validate exits 0, prints them, and lists them in its JSON).
/// </summary>
public sealed class ClusterFileWarningsTests
{
    // Three control planes behind haproxy-keepalived, stacked etcd: no warning at all.
    private const string HighlyAvailable = """
        apiVersion: bootstrap.dev/v1alpha1
        kind: Cluster
        metadata:
          name: ha
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
            - name: cp2
              address: 10.0.0.22
              roles: [control-plane]
            - name: cp3
              address: 10.0.0.23
              roles: [control-plane]
        """;

    private static IReadOnlyList<string> Warnings(string yaml)
    {
        var result = ClusterConfigLoader.Load(yaml, "cluster.yaml", "/work/clusters", "/home/tester");
        Assert.Empty(result.Errors);
        Assert.NotNull(result.Config);
        return result.Warnings.Select(w => w.ToString()).ToList();
    }

    private static string Without(string yaml, string host, int octet) =>
        yaml.Replace($"\n    - name: {host}\n      address: 10.0.0.{octet}\n      roles: [control-plane]", string.Empty, StringComparison.Ordinal);

    [Fact]
    public void A_highly_available_file_has_no_warning() => Assert.Empty(Warnings(HighlyAvailable));

    [Fact]
    public void A_single_control_plane_behind_a_load_balancer_is_not_highly_available()
    {
        var yaml = Without(Without(HighlyAvailable, "cp2", 22), "cp3", 23);

        Assert.Equal(
            ["cluster.yaml:22:14: warning: spec.hosts[1].roles: cp1 is the only control-plane host, so the load balancer has one kube-apiserver behind it and the cluster is not highly available (losing that host stops the API); add control-plane hosts, 3 with stacked etcd"],
            Warnings(yaml));
    }

    [Theory]
    [InlineData(2, 0, 1)]
    [InlineData(4, 1, 3)]
    public void An_even_etcd_count_says_how_many_failures_it_tolerates(int members, int tolerated, int same)
    {
        var message = Bootstrap.Core.Config.Parsing.ClusterRules.EvenMembers(members);

        Assert.StartsWith($"etcd would have {members} members, which tolerate {tolerated} failure", message, StringComparison.Ordinal);
        Assert.Contains($"the same as {same} member", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_stacked_members_tolerate_no_failure_and_the_warning_says_so()
    {
        Assert.Equal(
            ["cluster.yaml:17:5: warning: spec.hosts: etcd would have 2 members, which tolerate 0 failures (a quorum is 2 members), the same as 1 member; an odd count such as 3 is recommended"],
            Warnings(Without(HighlyAvailable, "cp3", 23)));
    }

    [Fact]
    public void A_kubernetes_version_newer_than_the_known_flags_is_a_warning()
    {
        Assert.Equal(
            ["cluster.yaml:6:22: warning: spec.kubernetesVersion: Kubernetes v1.30.1 is newer than any release whose component flags Bootstrap knows (v1.24 is the newest; the lab verifies v1.20); a flag removed after v1.24 would still be passed and the component would refuse to start"],
            Warnings(HighlyAvailable.Replace("v1.20.2", "v1.30.1", StringComparison.Ordinal)));
        Assert.Empty(Warnings(HighlyAvailable.Replace("v1.20.2", "v1.24.17", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_plain_http_artifact_url_is_a_warning_that_says_sha256_still_protects_integrity()
    {
        var digests = string.Join(string.Empty, ArtifactsSpec.RequiredFiles.Select(f => $"\n      {f}: {new string('a', 64)}"));
        var yaml = HighlyAvailable.Replace("    directory: artifacts", "    baseUrl: http://mirror.example.com/k8s\n    sha256:" + digests, StringComparison.Ordinal);

        var warning = Assert.Single(Warnings(yaml));

        Assert.StartsWith("cluster.yaml:15:14: warning: spec.artifacts.baseUrl: plain http: ", warning, StringComparison.Ordinal);
        Assert.Contains("checked against its sha256", warning, StringComparison.Ordinal);
        Assert.Empty(Warnings(yaml.Replace("http://", "https://", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_unknown_kubelet_configuration_field_is_a_warning_with_did_you_mean()
    {
        var yaml = HighlyAvailable + "\n  kubelet:\n    configPatch:\n      maxPod: 200\n      serializeImagePulls: false\n";

        Assert.Equal(
            ["cluster.yaml:31:7: warning: spec.kubelet.configPatch.maxPod: \"maxPod\" is not a KubeletConfiguration field (kubelet.config.k8s.io/v1beta1 as of Kubernetes v1.20); did you mean \"maxPods\"?; the kubelet would not use it"],
            Warnings(yaml));
    }

    [Fact]
    public void Validate_exits_0_with_warnings_printed_and_listed_in_json()
    {
        using var directory = new TemporaryDirectory();
        var file = directory.Combine("cluster.yaml");
        File.WriteAllText(file, File.ReadAllText(LabCluster.File) + "  kubelet:\n    configPatch:\n      maxPod: 200\n");

        var (exitCode, output, error) = CliRun.Run("validate", "-f", file);
        var (jsonExit, json, _) = CliRun.Run("validate", "-f", file, "-o", "json");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal(string.Empty, error);
        Assert.Contains(": warning: spec.kubelet.configPatch.maxPod: ", output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, jsonExit);
        using var document = System.Text.Json.JsonDocument.Parse(json);
        Assert.True(document.RootElement.GetProperty("valid").GetBoolean());
        var warning = Assert.Single(document.RootElement.GetProperty("warnings").EnumerateArray().ToArray());
        Assert.Equal("spec.kubelet.configPatch.maxPod", warning.GetProperty("path").GetString());
    }
}
