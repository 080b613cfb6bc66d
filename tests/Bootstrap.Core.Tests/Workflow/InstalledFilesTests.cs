using System.Security.Cryptography;
using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Tests.Remote;
using Bootstrap.Core.Workflow;
using Serilog;

namespace Bootstrap.Core.Tests.Workflow;

/// <summary>A run's use of a host's manifest of installed files, on the real machine through LocalHost, the manifest in a temp directory.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class InstalledFilesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bootstrap-installed-").FullName;
    private readonly RecordingHost _host = new(new LocalHost("local", new SecretRedactor(), new LoggerConfiguration().CreateLogger()));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Manifest => Path.Combine(_root, "state", "installed-files");

    private PhaseContext Run(bool dryRun = false, bool verify = false) => new()
    {
        Config = WorkflowFixtures.LabConfig,
        Hosts = new Dictionary<string, IRemoteHost>(StringComparer.Ordinal) { [_host.Name] = _host },
        Redactor = new SecretRedactor(),
        Logger = new LoggerConfiguration().CreateLogger(),
        DryRun = dryRun,
        Verify = verify,
        ManifestPath = Manifest,
    };

    [Fact]
    public async Task A_file_is_hashed_once_per_run_however_many_phases_read_it()
    {
        var file = Write("kube-apiserver");
        var run = Run(dryRun: true);

        await run.View(_host.Name).FilesAsync([file], CancellationToken.None);
        var again = await run.View(_host.Name).FilesAsync([file], CancellationToken.None);

        Assert.Equal([[file]], _host.Hashes);
        Assert.Equal(Sha256Of(file), again[file]!.Sha256);
    }

    [Fact]
    public async Task A_run_records_the_files_it_hashed_and_the_next_run_neither_hashes_nor_writes()
    {
        string[] files = [Write("etcd"), Write("etcdctl")];
        var first = Run();
        await first.View(_host.Name).FilesAsync(files, CancellationToken.None);
        await first.InstalledFiles.RecordAsync(new ApplyContext(first, first.Hosts), CancellationToken.None);
        _host.Clear();

        var next = Run();
        var states = await next.View(_host.Name).FilesAsync(files, CancellationToken.None);
        await next.InstalledFiles.RecordAsync(new ApplyContext(next, next.Hosts), CancellationToken.None);

        Assert.Equal(files.Order(StringComparer.Ordinal), InstalledFilesManifest.Parse(await File.ReadAllTextAsync(Manifest)).Entries.Keys.Order(StringComparer.Ordinal));
        Assert.Single(_host.Commands);
        Assert.Equal(files.Select(Sha256Of), files.Select(f => states[f]!.Sha256));
    }

    [Fact]
    public async Task A_file_that_changed_after_it_was_hashed_is_not_recorded()
    {
        var file = Write("kubelet");
        var run = Run();
        await run.View(_host.Name).FilesAsync([file], CancellationToken.None);

        await File.AppendAllTextAsync(file, "changed");
        await run.InstalledFiles.RecordAsync(new ApplyContext(run, run.Hosts), CancellationToken.None);

        Assert.False(File.Exists(Manifest), "nothing to record, so no manifest");
    }

    [Fact]
    public async Task With_verify_every_read_hashes_whatever_the_manifest_holds_and_the_manifest_is_not_rewritten_when_right()
    {
        var file = Write("kube-scheduler");
        var first = Run();
        await first.View(_host.Name).FilesAsync([file], CancellationToken.None);
        await first.InstalledFiles.RecordAsync(new ApplyContext(first, first.Hosts), CancellationToken.None);
        var written = File.GetLastWriteTimeUtc(Manifest);
        _host.Clear();

        var verify = Run(verify: true);
        await verify.View(_host.Name).FilesAsync([file], CancellationToken.None);
        await verify.View(_host.Name).FilesAsync([file], CancellationToken.None);
        await verify.InstalledFiles.RecordAsync(new ApplyContext(verify, verify.Hosts), CancellationToken.None);

        Assert.Equal([[file], [file]], _host.Hashes);
        Assert.Equal(written, File.GetLastWriteTimeUtc(Manifest));
    }

    [Fact]
    public async Task A_host_whose_manifest_the_run_takes_away_gets_nothing_recorded()
    {
        var file = Write("kube-proxy");
        var run = Run();
        await run.View(_host.Name).FilesAsync([file], CancellationToken.None);

        run.InstalledFiles.Forget(_host.Name);
        await run.InstalledFiles.RecordAsync(new ApplyContext(run, run.Hosts), CancellationToken.None);

        Assert.False(File.Exists(Manifest));
    }

    [Theory]
    [InlineData(true, 0)]
    [InlineData(false, 1)]
    public async Task A_file_hashed_then_installed_by_the_run_is_not_recorded_and_appended_lines_are_not_written_again(bool told, int commands)
    {
        // As haproxy.cfg on a fresh install: the distribution's file is hashed by a plan, then the run installs its own, whose
        // line the install appends. Told of the install, the run reads nothing more; else one stat shows the hashed file gone.
        var file = Write("haproxy.cfg");
        var run = Run();
        await run.View(_host.Name).FilesAsync([file], CancellationToken.None);
        await File.WriteAllTextAsync(file, "ours\n");
        await _host.RunAsync(InstalledFilesManifest.CommitCommand(Manifest, Sha256Of(file), null, file), CancellationToken.None);
        if (told)
        {
            run.InstalledFiles.Installed(_host.Name, file);
        }

        var appended = await File.ReadAllTextAsync(Manifest);
        _host.Clear();

        await run.InstalledFiles.RecordAsync(new ApplyContext(run, run.Hosts), CancellationToken.None);

        Assert.Equal(commands, _host.Commands.Count);
        Assert.Equal(appended, await File.ReadAllTextAsync(Manifest));
        Assert.Equal(Sha256Of(file), Assert.Single(InstalledFilesManifest.Parse(appended).Entries.Values).Sha256);
        Assert.False(InstalledFilesManifest.Parse(appended).Tidy);
    }

    [Fact]
    public async Task A_manifest_with_lines_to_drop_is_written_again_tidy()
    {
        var kept = Write("kubectl");
        var gone = Write("etcd-0123");
        var run = Run();
        await run.View(_host.Name).FilesAsync([kept, gone], CancellationToken.None);
        await run.InstalledFiles.RecordAsync(new ApplyContext(run, run.Hosts), CancellationToken.None);
        File.Delete(gone);
        await File.AppendAllTextAsync(Manifest, "a line cut short");

        var next = Run();
        await next.View(_host.Name).FilesAsync([kept], CancellationToken.None);
        await next.InstalledFiles.RecordAsync(new ApplyContext(next, next.Hosts), CancellationToken.None);

        var manifest = InstalledFilesManifest.Parse(await File.ReadAllTextAsync(Manifest));
        Assert.True(manifest.Tidy);
        Assert.Equal([kept], manifest.Entries.Keys);
    }

    [Theory]
    [InlineData(false, false, true)]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    public async Task A_completed_run_records_what_it_hashed_as_bookkeeping_a_dry_or_failed_run_records_nothing(bool dryRun, bool fails, bool recorded)
    {
        var file = Write("kubelet.conf");
        var w1 = new LocalHost("w1", new SecretRedactor(), new LoggerConfiguration().CreateLogger());
        var context = WorkflowFixtures.Context(name => name == "w1" ? w1 : new FakeHost(name), dryRun: dryRun, manifest: Manifest);
        var reads = new TestPhase("reads", (host, ct) => host == "w1"
            ? ReadAsync(context.View(host), file, ct)
            : Task.FromResult(TargetPlan.Nothing()), HostRole.Worker);
        var refuses = new TestPhase("refuses", (_, _) => Task.FromResult(fails ? TargetPlan.Refuse("no") : TargetPlan.Nothing()), HostRole.Worker);
        var observer = new RecordingObserver();

        var result = await new WorkflowRunner(observer).RunAsync(new PhaseTree("init", [reads, refuses]), WorkflowSelection.All, context, CancellationToken.None);

        Assert.Equal(!fails, result.Succeeded);
        Assert.Equal(recorded, File.Exists(Manifest));
        Assert.DoesNotContain(observer.Events, e => e.Kind == WorkflowEventKind.Change || e.Changed == true);
    }

    private static async Task<TargetPlan> ReadAsync(HostView view, string file, CancellationToken cancellationToken)
    {
        var states = await view.FilesAsync([file], cancellationToken);
        return TargetPlan.Nothing($"read {states[file]!.Sha256}");
    }

    private string Write(string name)
    {
        var path = Path.Combine(_root, name);
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(1000));
        return path;
    }

    private static string Sha256Of(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
