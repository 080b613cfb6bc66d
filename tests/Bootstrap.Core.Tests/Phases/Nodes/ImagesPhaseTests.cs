using System.Security.Cryptography;
using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Phases.Nodes;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Tests.Images;
using Bootstrap.Core.Workflow;
using Serilog;

namespace Bootstrap.Core.Tests.Phases.Nodes;

/// <summary>What images plans on a node: an import of each archive one of whose images containerd lacks or holds otherwise.</summary>
public sealed class ImagesPhaseTests : IAsyncLifetime
{
    private const string PauseListing = "REF TYPE DIGEST SIZE PLATFORMS LABELS\n"
        + "k8s.gcr.io/pause:3.2 application/vnd.oci.image.manifest.v1+json " + TestArchives.ManifestDigest + " 680.2 KiB linux/amd64 io.cri-containerd.image=managed\n";

    private static readonly HttpClient Http = new();
    private readonly string _state = Directory.CreateTempSubdirectory("bootstrap-images-").FullName;
    private ClusterConfig _config = null!;
    private InstallMaterial _material = null!;

    public async Task InitializeAsync()
    {
        var artifacts = Directory.CreateDirectory(Path.Combine(_state, "artifacts-dir")).FullName;
        byte[] pause = TestArchives.Oci("\"io.containerd.image.name\":\"k8s.gcr.io/pause:3.2\"");
        byte[] app = TestArchives.Docker("app:1");
        await File.WriteAllBytesAsync(Path.Combine(artifacts, "pause.tar"), pause);
        await File.WriteAllBytesAsync(Path.Combine(artifacts, "app.tar"), app);
        var lab = LabCluster.Load();
        _config = lab with
        {
            StateDirectory = Path.Combine(_state, "state"),
            Certificates = lab.Certificates with { KeyAlgorithm = KeyAlgorithm.EcdsaP256 },
            Artifacts = new ArtifactsSpec
            {
                Directory = artifacts,
                Sha256 = new Dictionary<string, string> { ["pause.tar"] = Sha(pause), ["app.tar"] = Sha(app) },
                Images = ["pause.tar", "app.tar"],
            },
        };
        await (await StatePlan.CreateAsync(_config, TimeProvider.System, CancellationToken.None)).CommitAsync(CancellationToken.None);
        _material = await InstallMaterial.LoadAsync(_config, new SecretRedactor(), Http, CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_state, recursive: true);
        return Task.CompletedTask;
    }

    private static string Sha(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private async Task<TargetPlan> PlanAsync(FakeNode node, string containerd = "active")
    {
        node.Units["containerd.service"] = (containerd, "enabled");
        var context = new PhaseContext
        {
            Config = _config,
            Hosts = new Dictionary<string, IRemoteHost>(StringComparer.Ordinal) { [node.Name] = node.Host() },
            Redactor = new SecretRedactor(),
            Logger = new LoggerConfiguration().CreateLogger(),
        };
        context.Material.Produce(_material);
        return await new ImagesPhase().PlanAsync(context, PhaseTarget.Of(_config.Host(node.Name)), CancellationToken.None);
    }

    [Fact]
    public async Task Every_archive_whose_images_containerd_lacks_is_imported()
    {
        var plan = await PlanAsync(new FakeNode("w1"));

        Assert.Equal(
            [
                "would import k8s.gcr.io/pause:3.2 from pause.tar (k8s.gcr.io/pause:3.2 is missing)",
                "would import docker.io/library/app:1 from app.tar (docker.io/library/app:1 is missing)",
            ],
            plan.Changes.Select(c => c.Describe(dryRun: true)));
        Assert.All(plan.Changes, c => Assert.Equal(ChangeKind.ImageImport, c.Kind));
        // Different images: imported side by side.
        Assert.All(plan.Changes, c => Assert.True(c.SideBySide, c.Target));
    }

    [Fact]
    public async Task Archives_that_hold_the_same_image_are_imported_one_after_the_other()
    {
        var again = TestArchives.Oci("\"io.containerd.image.name\":\"k8s.gcr.io/pause:3.2\"");
        await File.WriteAllBytesAsync(Path.Combine(_config.Artifacts.Directory!, "pause-again.tar"), again);
        _config = _config with
        {
            Artifacts = _config.Artifacts with
            {
                Sha256 = new Dictionary<string, string>(_config.Artifacts.Sha256) { ["pause-again.tar"] = Sha(again) },
                Images = [.. _config.Artifacts.Images, "pause-again.tar"],
            },
        };
        _material = await InstallMaterial.LoadAsync(_config, new SecretRedactor(), Http, CancellationToken.None);

        var plan = await PlanAsync(new FakeNode("w1"));

        Assert.Equal([("pause.tar", false), ("app.tar", true), ("pause-again.tar", false)], plan.Changes.Select(c => (c.Target.Split(" from ")[1], c.SideBySide)));
    }

    [Fact]
    public async Task Images_containerd_holds_with_their_digests_are_not_imported_again()
    {
        var node = new FakeNode("w1")
        {
            Images = PauseListing + "docker.io/library/app:1 application/vnd.docker.distribution.manifest.v2+json sha256:" + new string('1', 64) + " 2.0 MiB linux/amd64 -\n",
        };
        node.Content["sha256:" + new string('1', 64)] = $$"""{"schemaVersion":2,"config":{"digest":"sha256:{{TestArchives.ConfigHex}}"},"layers":[]}""";

        var plan = await PlanAsync(node);

        Assert.Empty(plan.Changes);
        Assert.Contains($"k8s.gcr.io/pause:3.2 is in containerd ({TestArchives.ManifestDigest})", plan.Notes);
        Assert.Contains($"docker.io/library/app:1 is in containerd (sha256:{TestArchives.ConfigHex})", plan.Notes);
    }

    [Fact]
    public async Task An_image_of_the_same_name_with_another_digest_is_replaced_by_importing_the_archive()
    {
        var node = new FakeNode("w1") { Images = PauseListing.Replace(TestArchives.ManifestDigest, "sha256:" + new string('2', 64), StringComparison.Ordinal) };

        var plan = await PlanAsync(node);

        var pause = plan.Changes.Single(c => c.Target == "k8s.gcr.io/pause:3.2 from pause.tar");
        Assert.Equal("sha256:" + new string('2', 64), pause.From);
        Assert.Equal(TestArchives.ManifestDigest, pause.To);
        Assert.Equal($"k8s.gcr.io/pause:3.2 is sha256:{new string('2', 64)}", pause.Reason);
    }

    [Fact]
    public async Task Before_containerd_runs_every_archive_would_be_imported_and_containerd_is_not_asked()
    {
        var node = new FakeNode("w1");

        var plan = await PlanAsync(node, containerd: "inactive");

        Assert.Equal(2, plan.Changes.Count);
        Assert.All(plan.Changes, c => Assert.Equal("containerd is not running yet", c.Reason));
        Assert.DoesNotContain(node.Commands, c => c.StartsWith("ctr ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_running_containerd_that_cannot_list_its_images_is_named_with_ctrs_words()
    {
        var plan = await PlanAsync(new FakeNode("w1") { Images = null });

        Assert.Equal(2, plan.Changes.Count);
        Assert.All(plan.Changes, c => Assert.StartsWith("containerd does not list its images (ctr: failed to dial", c.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Without_image_archives_the_phase_has_no_host()
    {
        Assert.Empty(new ImagesPhase().Targets(_config with { Artifacts = _config.Artifacts with { Images = [] } }));
        Assert.Equal(["cp1", "cp2", "cp3", "w1", "w2"], new ImagesPhase().Targets(_config).Select(t => t.Name));
    }
}
