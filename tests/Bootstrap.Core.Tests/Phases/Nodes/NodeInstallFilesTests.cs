using System.Text;
using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Phases.Nodes;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Rendering;

namespace Bootstrap.Core.Tests.Phases.Nodes;

/// <summary>What a node gets, from a real PKI generated into a temp state directory (ECDSA keys, for speed).</summary>
public sealed class NodeInstallFilesTests : IAsyncLifetime
{
    private static readonly HttpClient Http = new();
    private readonly string _state = Directory.CreateTempSubdirectory("bootstrap-nodes-").FullName;
    private readonly NodeFiles _files = new(new TemplateRenderer());
    private ClusterConfig _config = null!;
    private InstallMaterial _material = null!;

    public async Task InitializeAsync()
    {
        var lab = LabCluster.Load();
        _config = lab with { StateDirectory = _state, Certificates = lab.Certificates with { KeyAlgorithm = KeyAlgorithm.EcdsaP256 } };
        await (await StatePlan.CreateAsync(_config, TimeProvider.System, CancellationToken.None)).CommitAsync(CancellationToken.None);
        _material = await InstallMaterial.LoadAsync(_config, new SecretRedactor(), Http, CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_state, recursive: true);
        return Task.CompletedTask;
    }

    private static string Text(DesiredFile file)
    {
        // FromText/FromBytes files open synchronously to a MemoryStream.
        var open = file.Open(CancellationToken.None);
        Assert.True(open.IsCompletedSuccessfully);
        using var stream = (MemoryStream)open.GetAwaiter().GetResult();
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public void A_worker_gets_the_ca_kubelet_configuration_kernel_settings_and_unit_but_no_client_credentials()
    {
        var files = NodeInstallFiles.Kubelet(_material, _files, _config.Host("w1"), amazonEc2: false).ToDictionary(f => f.Path);

        Assert.Equal(
            [
                "/etc/kubernetes/pki/ca.crt", "/etc/sysctl.d/90-bootstrap-kubelet.conf", "/etc/systemd/system/kubelet.service", "/var/lib/kubelet/config.yaml",
            ],
            files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(_material.StateFile("pki/ca.crt"), Encoding.UTF8.GetBytes(Text(files["/etc/kubernetes/pki/ca.crt"])));
        Assert.DoesNotContain(files.Values, f => Text(f).Contains("PRIVATE KEY", StringComparison.Ordinal));
        Assert.Contains("\nkernel.panic = 10\n", Text(files["/etc/sysctl.d/90-bootstrap-kubelet.conf"]), StringComparison.Ordinal);
        Assert.Equal(0b110_100_100, files["/etc/sysctl.d/90-bootstrap-kubelet.conf"].Spec.Mode);
    }

    [Fact]
    public void Containerd_gets_the_clusters_sandbox_image_and_debians_cni_plugins()
    {
        var file = Assert.Single(NodeInstallFiles.Containerd(_config, _files));

        Assert.Equal("/etc/containerd/config.toml", file.Path);
        Assert.Contains("sandbox_image = \"k8s.gcr.io/pause:3.2\"", Text(file), StringComparison.Ordinal);
        Assert.Contains("bin_dir = \"/usr/lib/cni\"", Text(file), StringComparison.Ordinal);
        Assert.DoesNotContain("restrict_oom_score_adj", Text(file), StringComparison.Ordinal);
    }

    [Fact]
    public void Containerd_on_a_host_that_cannot_lower_oom_scores_keeps_its_own_as_the_floor()
    {
        var file = Assert.Single(NodeInstallFiles.Containerd(_config, _files, restrictOomScoreAdj: true));

        Assert.Contains("\n  restrict_oom_score_adj = true\n", Text(file), StringComparison.Ordinal);
        Assert.Contains("sandbox_image = \"k8s.gcr.io/pause:3.2\"\n  # This host cannot lower OOM scores", Text(file), StringComparison.Ordinal);
    }

    [Fact]
    public void The_bootstrap_kubeconfig_holds_the_token_and_is_readable_by_root_only()
    {
        var token = BootstrapToken.Parse("abcdef.0123456789abcdef");

        var file = NodeInstallFiles.BootstrapKubeconfig(_material, token);

        Assert.Equal("/etc/kubernetes/bootstrap-kubelet.conf", file.Path);
        Assert.Equal("0600", file.Spec.ModeOctal);
        Assert.Contains("token: abcdef.0123456789abcdef", Text(file), StringComparison.Ordinal);
        Assert.Contains("server: https://192.168.56.10:6443", Text(file), StringComparison.Ordinal);
    }

    [Fact]
    public void The_kube_proxy_kubeconfig_is_secret_and_its_configuration_follows_the_host()
    {
        var files = NodeInstallFiles.KubeProxy(_material, _files, _config.Host("w2"), "sa-token-value", canSetConntrackMax: false).ToDictionary(f => f.Path);

        Assert.Equal("0600", files[NodeLayout.KubeProxyKubeconfig].Spec.ModeOctal);
        Assert.Contains("token: sa-token-value", Text(files[NodeLayout.KubeProxyKubeconfig]), StringComparison.Ordinal);
        Assert.Contains("maxPerCore: 0", Text(files[NodeLayout.KubeProxyConfig]), StringComparison.Ordinal);
        Assert.Contains("--hostname-override=w2", Text(files["/etc/systemd/system/kube-proxy.service"]), StringComparison.Ordinal);
    }

    [Fact]
    public void A_joining_kubelet_restarts_on_its_bootstrap_kubeconfig_a_joined_one_does_not_need_it()
    {
        Assert.Contains(NodeLayout.BootstrapKubeletKubeconfig, ServiceCatalog.Kubelet(joining: true).Inputs);
        Assert.DoesNotContain(NodeLayout.BootstrapKubeletKubeconfig, ServiceCatalog.Kubelet(joining: false).Inputs);
    }
}
