using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;

namespace Bootstrap.Lab.Tests.Lab;

/// <summary>The artifacts directory scripts/lab builds: real binaries, versions, checksums, and the two image archives.</summary>
[Trait("Category", "Lab")]
public sealed class ArtifactsTests
{
    private static readonly string[] Binaries =
    [
        "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubeadm", "kubectl", "etcd", "etcdctl",
    ];

    private static readonly string[] Images = ["pause-3.2.oci.tar", "busybox.oci.tar"];

    private static readonly TimeSpan Quick = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Every_artifact_is_listed_in_SHA256SUMS_with_its_true_checksum()
    {
        var paths = await LabScript.PathsAsync();
        var sums = (await File.ReadAllLinesAsync(Path.Combine(paths.Artifacts, "SHA256SUMS")))
            .Select(l => l.Split("  ", 2))
            .ToDictionary(p => p[1], p => p[0], StringComparer.Ordinal);

        Assert.Equal(Binaries.Concat(Images).Order(StringComparer.Ordinal), sums.Keys.Order(StringComparer.Ordinal));
        foreach (var binary in Binaries.Concat(Images))
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

    /// <summary>
    /// The sandbox image is an OCI layout naming itself k8s.gcr.io/pause:3.2 for containerd, whose one layer holds the
    /// pause binary compiled statically from the v1.20.2 tree (it runs here, with no library); busybox names itself as
    /// scripts/lab says and has a shell.
    /// </summary>
    [Fact]
    public async Task The_image_archives_are_oci_layouts_named_as_the_kubelet_asks_with_static_binaries()
    {
        var paths = await LabScript.PathsAsync();
        var dir = Directory.CreateTempSubdirectory("lab-images-");
        try
        {
            var pause = await ReadLayoutAsync(Path.Combine(paths.Artifacts, "pause-3.2.oci.tar"));
            var busybox = await ReadLayoutAsync(Path.Combine(paths.Artifacts, "busybox.oci.tar"));

            Assert.Equal("k8s.gcr.io/pause:3.2", pause.Name);
            Assert.Equal(paths.BusyboxImage, busybox.Name);
            var binary = Path.Combine(dir.FullName, "pause");
            await File.WriteAllBytesAsync(binary, pause.Files["pause"]);
            Assert.Equal(0, (await LocalProcess.RunAsync("chmod", ["0700", binary], Quick)).ExitCode);
            var version = await LocalProcess.RunAsync(binary, ["-v"], Quick);
            Assert.Equal("pause.c v3.4-from-kubernetes-v1.20.2", version.Stdout.Trim());
            Assert.True(busybox.Files.ContainsKey("bin/busybox") && busybox.Links["bin/sh"] == "busybox", "busybox has no bin/sh");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>The name in index.json and the files of the one layer of an OCI archive.</summary>
    private static async Task<(string Name, Dictionary<string, byte[]> Files, Dictionary<string, string> Links)> ReadLayoutAsync(string archive)
    {
        var blobs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await using (var reader = new TarReader(File.OpenRead(archive)))
        {
            while (await reader.GetNextEntryAsync() is { } entry)
            {
                if (entry.DataStream is { } data)
                {
                    using var copy = new MemoryStream();
                    await data.CopyToAsync(copy);
                    blobs[entry.Name] = copy.ToArray();
                }
            }
        }

        static string Blob(JsonElement descriptor) => "blobs/sha256/" + descriptor.GetProperty("digest").GetString()!["sha256:".Length..];
        var index = JsonDocument.Parse(blobs["index.json"]).RootElement.GetProperty("manifests")[0];
        var manifest = JsonDocument.Parse(blobs[Blob(index)]).RootElement;
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var links = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var layer = new TarReader(new MemoryStream(blobs[Blob(manifest.GetProperty("layers")[0])])))
        {
            while (await layer.GetNextEntryAsync() is { } entry)
            {
                if (entry.EntryType == TarEntryType.SymbolicLink)
                {
                    links[entry.Name] = entry.LinkName;
                }
                else if (entry.DataStream is { } data)
                {
                    using var copy = new MemoryStream();
                    await data.CopyToAsync(copy);
                    files[entry.Name] = copy.ToArray();
                }
            }
        }

        return (index.GetProperty("annotations").GetProperty("io.containerd.image.name").GetString()!, files, links);
    }

    private static async Task<ProcessResult> RunArtifactAsync(string binary, params string[] args)
    {
        var paths = await LabScript.PathsAsync();
        return await LocalProcess.RunAsync(Path.Combine(paths.Artifacts, binary), args, Quick);
    }
}
