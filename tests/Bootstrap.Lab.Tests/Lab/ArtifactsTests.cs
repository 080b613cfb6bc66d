using System.Security.Cryptography;

namespace Bootstrap.Lab.Tests.Lab;

/// <summary>The artifacts directory scripts/lab builds: real binaries, versions, checksums.</summary>
[Trait("Category", "Lab")]
public sealed class ArtifactsTests
{
    private static readonly string[] Binaries =
    [
        "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubeadm", "kubectl", "etcd", "etcdctl",
    ];

    private static readonly TimeSpan Quick = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Every_artifact_is_listed_in_SHA256SUMS_with_its_true_checksum()
    {
        var paths = await LabScript.PathsAsync();
        var sums = (await File.ReadAllLinesAsync(Path.Combine(paths.Artifacts, "SHA256SUMS")))
            .Select(l => l.Split("  ", 2))
            .ToDictionary(p => p[1], p => p[0], StringComparer.Ordinal);

        Assert.Equal(Binaries.Order(StringComparer.Ordinal), sums.Keys.Order(StringComparer.Ordinal));
        foreach (var binary in Binaries)
        {
            await using var file = File.OpenRead(Path.Combine(paths.Artifacts, binary));
            var actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(file));
            Assert.True(sums[binary] == actual, $"{binary}: SHA256SUMS says {sums[binary]}, the file hashes to {actual}");
        }
    }

    [Theory]
    [InlineData("kube-apiserver", "--version")]
    [InlineData("kube-controller-manager", "--version")]
    [InlineData("kube-scheduler", "--version")]
    [InlineData("kubelet", "--version")]
    [InlineData("kube-proxy", "--version")]
    public async Task Kubernetes_server_binaries_report_v1_20_2(string binary, string flag)
    {
        var result = await RunArtifactAsync(binary, flag);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Kubernetes v1.20.2", result.Stdout.Trim());
    }

    [Fact]
    public async Task Kubeadm_and_kubectl_report_v1_20_2()
    {
        var kubeadm = await RunArtifactAsync("kubeadm", "version", "-o", "short");
        Assert.Equal("v1.20.2", kubeadm.Stdout.Trim());
        var kubectl = await RunArtifactAsync("kubectl", "version", "--client", "--short");
        Assert.Equal("Client Version: v1.20.2", kubectl.Stdout.Trim());
    }

    [Fact]
    public async Task Etcd_and_etcdctl_are_Debians_3_4()
    {
        var etcd = await RunArtifactAsync("etcd", "--version");
        Assert.Contains("etcd Version: 3.4.", etcd.Stdout, StringComparison.Ordinal);
        var etcdctl = await RunArtifactAsync("etcdctl", "version");
        Assert.Contains("etcdctl version: 3.4.", etcdctl.Stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// Without the reflect2 1.0.2 fix, kubeadm built with Go 1.19 panics (nil pointer in
    /// reflect.mapiternext) while encoding the kubelet ConfigMap, before any network I/O. With
    /// the fix it gets as far as dialling the API server, which here is deliberately absent.
    /// </summary>
    [Fact]
    public async Task Kubeadm_encodes_the_kubelet_config_map_without_the_reflect2_panic()
    {
        var dir = Directory.CreateTempSubdirectory("kubeadm-reflect2-");
        try
        {
            var config = Path.Combine(dir.FullName, "kubeadm.yaml");
            await File.WriteAllTextAsync(config, """
                apiVersion: kubeadm.k8s.io/v1beta2
                kind: ClusterConfiguration
                kubernetesVersion: v1.20.2
                """);
            var kubeconfig = Path.Combine(dir.FullName, "unreachable.conf");
            await File.WriteAllTextAsync(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: none
                  cluster:
                    server: https://127.0.0.1:1
                    insecure-skip-tls-verify: true
                contexts:
                - name: none
                  context: {cluster: none, user: none}
                current-context: none
                users:
                - name: none
                  user: {token: abcdef.0123456789abcdef}
                """);

            var result = await RunArtifactAsync("kubeadm", "init", "phase", "upload-config", "kubelet",
                "--config", config, "--kubeconfig", kubeconfig, "-v", "5");

            Assert.DoesNotContain("panic", result.Output, StringComparison.OrdinalIgnoreCase);
            Assert.NotEqual(0, result.ExitCode);
            // The POST is only sent once the ConfigMap (a map) has been encoded.
            Assert.Contains("Post \"https://127.0.0.1:1/api/v1/namespaces/kube-system/configmaps", result.Output, StringComparison.Ordinal);
            Assert.Contains("connection refused", result.Output, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static async Task<ProcessResult> RunArtifactAsync(string binary, params string[] args)
    {
        var paths = await LabScript.PathsAsync();
        return await LocalProcess.RunAsync(Path.Combine(paths.Artifacts, binary), args, Quick);
    }
}
