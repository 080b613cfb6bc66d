using Bootstrap.Core.Install;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Tests.Remote;
using Bootstrap.Core.Tests.Workflow;
using Bootstrap.Core.Workflow;
using Serilog;

namespace Bootstrap.Core.Tests.Install;

/// <summary>FileConvergence against the real machine through LocalHost (the same commands as over SSH), in a temp directory.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FileConvergenceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bootstrap-files-").FullName;
    private readonly LocalHost _host = new("local", new SecretRedactor(), new LoggerConfiguration().CreateLogger());

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Manifest => Path.Combine(_root, "state", "installed-files");

    private DesiredFile File(string name, string text, int mode = 0b110_100_100) =>
        DesiredFile.FromText(new FileSpec(Path.Combine(_root, name), mode, CurrentUser, CurrentGroup), text);

    private static string CurrentUser => Environment.UserName;

    private static string CurrentGroup => Environment.IsPrivilegedProcess ? "root" : Environment.UserName;

    private async Task<IReadOnlyList<Change>> ConvergeAsync(IReadOnlyList<DesiredFile> files, Func<string, string?>? deferredTo = null)
    {
        var context = Changes.On(_host, manifest: Manifest);
        var (changes, _) = await FileConvergence.PlanAsync(context.View(_host.Name), files, CancellationToken.None, deferredTo);
        await Changes.ApplyAsync(context, changes);
        return changes;
    }

    [Fact]
    public async Task Missing_files_and_directories_are_created_and_a_second_run_changes_nothing()
    {
        DesiredFile[] files = [File("a/b/one.conf", "one\n"), File("two key.pem", "secret\n", 0b110_000_000)];

        var first = await ConvergeAsync(files);
        var second = await ConvergeAsync(files);

        Assert.Equal([ChangeKind.FileCreate, ChangeKind.FileCreate], first.Select(c => c.Kind));
        Assert.Empty(second);
        Assert.Equal("one\n", await System.IO.File.ReadAllTextAsync(Path.Combine(_root, "a/b/one.conf")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(Path.Combine(_root, "two key.pem")));
    }

    [Fact]
    public async Task Files_of_a_new_directory_written_side_by_side_all_land_and_the_directory_is_made_once()
    {
        var host = new RecordingHost(_host);
        DesiredFile[] files = [.. Enumerable.Range(0, 8).Select(i => File($"new/dir/f{i}.conf", $"{i}\n"))];
        var context = Changes.On(host, manifest: Manifest);
        var (changes, _) = await FileConvergence.PlanAsync(context.View(host.Name), files, CancellationToken.None);
        host.Clear();

        var apply = new ApplyContext(context, context.Hosts);
        await Task.WhenAll(changes.Select(c => Task.Run(() => c.Apply!(apply, CancellationToken.None))));

        Assert.All(changes, c => Assert.True(c.SideBySide));
        Assert.All(files, f => Assert.Equal(Path.GetFileNameWithoutExtension(f.Path)[1..] + "\n", System.IO.File.ReadAllText(f.Path)));
        Assert.Single(host.Commands, c => c.Argv[0] == "mkdir");
    }

    [Fact]
    public async Task Files_of_several_new_directories_are_written_after_one_mkdir_that_makes_them_all()
    {
        var host = new RecordingHost(_host);
        DesiredFile[] files = [File("etc/pki/ca.crt", "ca\n"), File("var/lib/kubelet/config.yaml", "c\n"), File("etc/systemd/kubelet.service", "u\n")];
        var context = Changes.On(host, manifest: Manifest);
        var (changes, _) = await FileConvergence.PlanAsync(context.View(host.Name), files, CancellationToken.None);
        host.Clear();

        await Changes.ApplyAsync(context, changes);

        var mkdir = Assert.Single(host.Commands, c => c.Argv[0] == "mkdir");
        Assert.Equal(files.Select(f => Path.GetDirectoryName(f.Path)!).Order(StringComparer.Ordinal), mkdir.Argv.Skip(3));
        Assert.All(files, f => Assert.True(System.IO.File.Exists(f.Path), f.Path));
    }

    [Fact]
    public async Task Through_the_runner_a_hosts_small_files_are_written_by_a_few_commands_and_reported_each()
    {
        // A few commands for all the small files of the plan (their directories made by them too), instead of a mkdir and one each.
        var host = new RecordingHost(new LocalHost("cp1", new SecretRedactor(), new LoggerConfiguration().CreateLogger()));
        DesiredFile[] files =
        [
            .. Enumerable.Range(0, 6).Select(i => File($"pki/{(i % 2 == 0 ? "etcd/" : string.Empty)}f{i}.crt", $"{i}\n")),
            File("pki/sa.key", "secret\n", 0b110_000_000),
        ];
        var phase = new FilesPhase(files);
        var context = WorkflowFixtures.Context(name => name == "cp1" ? host : new FakeHost(name), manifest: Manifest);

        var result = await new WorkflowRunner(new RecordingObserver()).RunAsync(new PhaseTree("init", [phase]), WorkflowSelection.All, context, CancellationToken.None);

        var cp1 = result.Phases.Single().Hosts.Single(h => h.Host == "cp1");
        Assert.True(cp1.Status == HostPhaseStatus.Changed, cp1.Error);
        Assert.Equal(files.Select(f => "created " + f.Path), cp1.Details);
        Assert.All(files, f => Assert.Equal(System.Text.Encoding.UTF8.GetBytes(f.Path.EndsWith("sa.key", StringComparison.Ordinal) ? "secret\n" : f.Path[^5] + "\n"), System.IO.File.ReadAllBytes(f.Path)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(files[^1].Path));
        // Seven files: two commands side by side (four files, then three), and no mkdir apart.
        var writes = host.Commands.Where(c => c.Stdin is not null || c.Argv[0] == "mkdir").ToList();
        Assert.Equal([3, 4], writes.Select(c => (c.Argv.Count - 4) / 9).Order());

        // The next plan hashes nothing: each file was recorded as it was written.
        host.Clear();
        var again = await new WorkflowRunner(new RecordingObserver()).RunAsync(new PhaseTree("init", [phase]), WorkflowSelection.All, context, CancellationToken.None);
        Assert.Equal(HostPhaseStatus.Unchanged, again.Phases.Single().Hosts.Single(h => h.Host == "cp1").Status);
        Assert.Empty(host.Hashes);
    }

    /// <summary>A phase that converges <paramref name="files"/> on cp1.</summary>
    private sealed class FilesPhase(IReadOnlyList<DesiredFile> files) : ILeafPhase
    {
        public string Name => "files";

        public string Description => "small files on cp1";

        public IReadOnlyList<PhaseTarget> Targets(Core.Config.ClusterConfig config) => PhaseTarget.Of(config.Hosts.Where(h => h.Name == "cp1"));

        public async Task<TargetPlan> PlanAsync(PhaseContext context, PhaseTarget target, CancellationToken cancellationToken)
        {
            var (changes, _) = await FileConvergence.PlanAsync(context.View(target.Name), files, cancellationToken);
            return TargetPlan.Of(changes);
        }
    }

    [Fact]
    public async Task Changed_content_and_changed_mode_are_told_apart_with_from_and_to_and_fixed()
    {
        var file = File("x.conf", "wanted\n");
        await ConvergeAsync([file]);
        await System.IO.File.WriteAllTextAsync(file.Path, "edited by hand\n");
        var content = await ConvergeAsync([file]);
        System.IO.File.SetUnixFileMode(file.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite);
        var mode = await ConvergeAsync([file]);

        var replaced = Assert.Single(content);
        Assert.Equal(ChangeKind.FileReplace, replaced.Kind);
        Assert.StartsWith("sha256:", replaced.From, StringComparison.Ordinal);
        Assert.StartsWith("sha256:" + file.Sha256[..12], replaced.To, StringComparison.Ordinal);
        var fixedMode = Assert.Single(mode);
        Assert.Equal(ChangeKind.FileMetadata, fixedMode.Kind);
        Assert.Contains(" 0602 ", fixedMode.From, StringComparison.Ordinal);
        Assert.Equal("wanted\n", await System.IO.File.ReadAllTextAsync(file.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, System.IO.File.GetUnixFileMode(file.Path));
    }

    [Fact]
    public async Task A_plan_reports_every_difference_and_writes_nothing()
    {
        var existing = File("same.conf", "same\n");
        await ConvergeAsync([existing]);
        DesiredFile[] wanted = [File("new.conf", "new\n"), File("same.conf", "different\n")];

        var (changes, _) = await FileConvergence.PlanAsync(Changes.On(_host, dryRun: true, manifest: Manifest).View(_host.Name), wanted, CancellationToken.None);

        Assert.Equal([ChangeKind.FileCreate, ChangeKind.FileReplace], changes.Select(c => c.Kind));
        Assert.Equal("would create " + wanted[0].Path, changes[0].Describe(dryRun: true));
        Assert.False(System.IO.File.Exists(wanted[0].Path));
        Assert.Equal("same\n", await System.IO.File.ReadAllTextAsync(existing.Path));
    }

    [Fact]
    public async Task A_replaced_file_that_a_running_service_reads_is_left_to_that_service_with_a_note()
    {
        var read = File("apiserver.crt", "old\n");
        await ConvergeAsync([read]);
        var renewed = File("apiserver.crt", "renewed\n");
        var created = File("new.crt", "new\n");

        var (changes, notes) = await FileConvergence.PlanAsync(
            Changes.On(_host, manifest: Manifest).View(_host.Name), [renewed, created], CancellationToken.None, path => path == renewed.Path || path == created.Path ? "kube-apiserver" : null);

        Assert.Equal([created.Path], changes.Select(c => c.Target));
        Assert.Equal([$"left {renewed.Path} to kube-apiserver's turn: the running kube-apiserver reads it"], notes);
    }

    [Fact]
    public async Task A_binary_is_staged_by_its_digest_then_copied_in_place_and_the_version_it_replaced_stays_for_a_step_back()
    {
        var store = Path.Combine(_root, "store");
        DesiredFile Binary(string text)
        {
            var file = File("bin/kubelet", text, 0b111_101_101);
            return file with { StagePath = $"{store}/kubelet-{file.Sha256[..16]}" };
        }

        var (v1, v2, v3) = (Binary("v1\n"), Binary("v2\n"), Binary("v3\n"));
        var first = await ConvergeAsync([v1]);
        var again = await ConvergeAsync([v1]);
        var second = await ConvergeAsync([v2]);
        var third = await ConvergeAsync([v3]);
        var back = await ConvergeAsync([v2]);

        Assert.Equal([(ChangeKind.FileCreate, v1.StagePath!), (ChangeKind.FileCreate, v1.Path)], first.Select(c => (c.Kind, c.Target)));
        Assert.Equal([(true, false), (true, true)], first.Select(c => (c.SideBySide, c.BeginsRun)));
        Assert.Empty(again);
        Assert.Equal([(ChangeKind.FileCreate, v2.StagePath!), (ChangeKind.FileReplace, v2.Path)], second.Select(c => (c.Kind, c.Target)));
        Assert.Equal(new[] { v2.StagePath!, v3.StagePath! }.Order(StringComparer.Ordinal), System.IO.Directory.GetFiles(store).Order(StringComparer.Ordinal));
        Assert.False(System.IO.File.Exists(v1.StagePath), "the version before the one replaced is removed");
        Assert.Equal([(ChangeKind.FileReplace, v2.Path)], back.Select(c => (c.Kind, c.Target)));
        Assert.Equal("v2\n", await System.IO.File.ReadAllTextAsync(v2.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
            System.IO.File.GetUnixFileMode(v2.Path));
    }

    [Fact]
    public async Task A_hosts_binaries_are_all_staged_side_by_side_then_go_in_place_side_by_side()
    {
        var store = Path.Combine(_root, "store");
        DesiredFile Binary(string name)
        {
            var file = File("bin/" + name, name + " v1\n", 0b111_101_101);
            return file with { StagePath = $"{store}/{name}-{file.Sha256[..16]}" };
        }

        DesiredFile[] binaries = [Binary("etcd"), Binary("kubelet"), Binary("kube-proxy")];
        var config = File("config.yaml", "a: 1\n");

        var changes = await ConvergeAsync([.. binaries, config]);

        Assert.Equal(
            [
                .. binaries.Select(b => (ChangeKind.FileCreate, b.StagePath!, true, false)),
                .. binaries.Select((b, i) => (ChangeKind.FileCreate, b.Path, true, i == 0)),
                (ChangeKind.FileCreate, config.Path, true, false),
            ],
            changes.Select(c => (c.Kind, c.Target, c.SideBySide, c.BeginsRun)));
        Assert.All(binaries, b => Assert.Equal(Stat(b.StagePath!), Stat(b.Path)));
        Assert.Empty(await ConvergeAsync([.. binaries, config]));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("nothing", true)]
    [InlineData("kubelet", false)]
    public async Task Binaries_go_through_a_wide_pipe_only_to_a_host_where_no_running_service_reads_any_of_them(string? running, bool wide)
    {
        var host = new RecordingHost(_host);
        var store = Path.Combine(_root, "store");
        DesiredFile Binary(string name)
        {
            var file = File("bin/" + name, name + " v1\n", 0b111_101_101);
            return file with { StagePath = $"{store}/{name}-{file.Sha256[..16]}" };
        }

        DesiredFile[] binaries = [Binary("kubelet"), Binary("kubectl")];
        // null: a plan that does not ask which service runs (a phase's own files); "nothing": no service runs on the host;
        // "kubelet": the running kubelet reads the first binary (its new version is staged, and left to the kubelet's turn).
        Func<string, string?>? readers = running switch
        {
            null => null,
            "nothing" => _ => null,
            _ => path => path == binaries[0].Path ? running : null,
        };
        var context = Changes.On(host, manifest: Manifest);
        var (changes, _) = await FileConvergence.PlanAsync(context.View(host.Name), binaries, CancellationToken.None, readers);

        await Changes.ApplyAsync(context, changes);

        Assert.Equal(binaries.Select(b => b.StagePath), host.Uploads.Select(u => u.Path));
        Assert.All(host.Uploads, u => Assert.Equal(wide, u.WideInput));
    }

    [Fact]
    public async Task A_staged_binary_goes_in_place_as_a_hard_link_to_the_staged_file_in_one_command_and_is_not_hashed_again()
    {
        var host = new RecordingHost(_host);
        var binary = File("bin/kubelet", "v1\n", 0b111_101_101);
        binary = binary with { StagePath = Path.Combine(_root, "store", "kubelet-" + binary.Sha256[..16]) };
        var context = Changes.On(host, manifest: Manifest);
        var (changes, _) = await FileConvergence.PlanAsync(context.View(host.Name), [binary], CancellationToken.None);
        host.Clear();

        await Changes.ApplyAsync(context, changes);

        Assert.Empty(host.Hashes);
        var commands = host.Commands.Select(c => c.Argv).ToList();
        // The temp file beside the target, the install from the staged file and the clean-up of older versions: one command.
        var put = Assert.Single(commands, argv => argv is ["sh", "-c", _, "put-in-place", ..]);
        Assert.Equal([Path.GetDirectoryName(binary.Path), ".kubelet.bootstrap-XXXXXXXX"], put.Skip(4).Take(2));
        Assert.Equal([binary.Path, binary.StagePath], new[] { put[7], put[11] });
        Assert.Equal("find", put[14]);
        Assert.DoesNotContain(commands, argv => argv[0] is "mktemp" or "find" or "cp" or "ln" or "chown" or "chmod" or "mv");
        Assert.Equal(["kubelet"], System.IO.Directory.GetFiles(Path.GetDirectoryName(binary.Path)!).Select(Path.GetFileName));
        Assert.Equal("v1\n", await System.IO.File.ReadAllTextAsync(binary.Path));
        Assert.Equal(Stat(binary.StagePath), Stat(binary.Path));
        Assert.EndsWith(" 2", Stat(binary.Path), StringComparison.Ordinal);
        var entries = InstalledFilesManifest.Parse(await System.IO.File.ReadAllTextAsync(Manifest)).Entries;
        Assert.Equal(binary.Sha256, entries[binary.Path].Sha256);
        Assert.Equal(binary.Sha256, entries[binary.StagePath].Sha256);

        // Linking changed the staged file's ctime: its entry was recorded again, so the next plan reads both from the manifest.
        host.Clear();
        var (again, _) = await FileConvergence.PlanAsync(Changes.On(host, manifest: Manifest).View(host.Name), [binary], CancellationToken.None);
        Assert.Empty(again);
        Assert.Empty(host.Hashes);
    }

    [Fact]
    public async Task A_binary_the_plan_found_missing_or_different_is_uploaded_as_differing_and_one_with_only_another_mode_is_not()
    {
        var host = new RecordingHost(_host);
        var store = Path.Combine(_root, "store");
        var v1 = File("bin/kubelet", "v1\n", 0b111_101_101);
        var config = File("etc/config", "a\n");
        await ConvergeAsync([v1 with { StagePath = $"{store}/kubelet-{v1.Sha256[..16]}" }, config]);
        var v2 = File("bin/kubelet", "v2\n", 0b111_101_101);
        v2 = v2 with { StagePath = $"{store}/kubelet-{v2.Sha256[..16]}" };
        System.IO.File.SetUnixFileMode(config.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var context = Changes.On(host, manifest: Manifest);
        var (changes, _) = await FileConvergence.PlanAsync(context.View(host.Name), [v2, config, File("etc/other", "b\n")], CancellationToken.None);

        // Each change applied alone (not through the runner, where small files side by side share a command): an upload each.
        await Changes.ApplyAsync(context, changes);

        // The staged binary and the new file: sent without asking the host first. The file whose mode alone differs: its content
        // is not sent (the upload finds it on the host and sets the mode).
        Assert.Equal(
            [(v2.StagePath!, true), (config.Path, false), (Path.Combine(_root, "etc/other"), true)],
            host.Uploads.Select(u => (u.Path, u.Differs)));
        Assert.Equal("v2\n", await System.IO.File.ReadAllTextAsync(v2.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, System.IO.File.GetUnixFileMode(config.Path));
    }

    [Fact]
    public async Task A_file_with_another_owner_or_mode_is_copied_in_and_compared_not_linked_and_keeps_its_own_mode()
    {
        var source = Path.Combine(_root, "source");
        await System.IO.File.WriteAllTextAsync(source, "v1\n");
        System.IO.File.SetUnixFileMode(source, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var target = new FileSpec(Path.Combine(_root, "bin", "tool"), 0b111_101_101, CurrentUser, CurrentGroup);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target.Path)!);
        var temp = await AtomicInstall.CreateTempBesideAsync(_host, target.Path, new SecretRedactor(), CancellationToken.None);

        await AtomicInstall.CommitAsync(_host, temp, target, DesiredFile.FromText(target, "v1\n").Sha256, new SecretRedactor(), CancellationToken.None, copyFrom: source);

        Assert.Equal("v1\n", await System.IO.File.ReadAllTextAsync(target.Path));
        Assert.NotEqual(Stat(source).Split(' ')[0], Stat(target.Path).Split(' ')[0]);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(source));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
            System.IO.File.GetUnixFileMode(target.Path));
    }

    /// <summary>The file's device and inode, then its number of links.</summary>
    private static string Stat(string path)
    {
        var start = new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%d:%i %h", "--", path]) { RedirectStandardOutput = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output;
    }

    [Fact]
    public async Task A_staged_binary_gone_before_its_copy_fails_the_install_and_leaves_the_target_and_no_temp_file()
    {
        var store = Path.Combine(_root, "store");
        var v1 = File("bin/kubelet", "v1\n", 0b111_101_101);
        await ConvergeAsync([v1 with { StagePath = $"{store}/kubelet-{v1.Sha256[..16]}" }]);
        var v2 = File("bin/kubelet", "v2\n", 0b111_101_101);
        v2 = v2 with { StagePath = $"{store}/kubelet-{v2.Sha256[..16]}" };
        var context = Changes.On(_host, manifest: Manifest);
        var (changes, _) = await FileConvergence.PlanAsync(context.View(_host.Name), [v2], CancellationToken.None);
        var stage = changes.Single(c => c.Target == v2.StagePath);
        await Changes.ApplyAsync(context, [stage]);
        System.IO.File.Delete(v2.StagePath);

        var error = await Assert.ThrowsAsync<IOException>(() => Changes.ApplyAsync(context, [changes.Single(c => c.Target == v2.Path)]));

        Assert.Contains(v2.StagePath, error.Message, StringComparison.Ordinal);
        Assert.Equal("v1\n", await System.IO.File.ReadAllTextAsync(v1.Path));
        Assert.Equal(["kubelet"], System.IO.Directory.GetFiles(Path.GetDirectoryName(v1.Path)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_binary_a_running_service_executes_is_staged_now_and_switched_in_its_services_turn()
    {
        var store = Path.Combine(_root, "store");
        var old = File("bin/kube-apiserver", "old\n", 0b111_101_101);
        await ConvergeAsync([old with { StagePath = $"{store}/kube-apiserver-{old.Sha256[..16]}" }]);
        var renewed = File("bin/kube-apiserver", "new\n", 0b111_101_101);
        renewed = renewed with { StagePath = $"{store}/kube-apiserver-{renewed.Sha256[..16]}" };

        var staged = await ConvergeAsync([renewed], path => path == renewed.Path ? "kube-apiserver" : null);
        var switched = await ConvergeAsync([renewed]);

        Assert.Equal([(ChangeKind.FileCreate, renewed.StagePath!)], staged.Select(c => (c.Kind, c.Target)));
        Assert.Contains("switches to in its turn", staged[0].Reason, StringComparison.Ordinal);
        Assert.Equal([(ChangeKind.FileReplace, renewed.Path)], switched.Select(c => (c.Kind, c.Target)));
        Assert.Equal("new\n", await System.IO.File.ReadAllTextAsync(renewed.Path));
    }

    [Fact]
    public async Task A_new_mode_or_owner_of_a_file_a_running_service_reads_is_left_to_that_service_too()
    {
        var key = File("server.key", "key\n", 0b110_100_100);
        await ConvergeAsync([key]);
        var tightened = File("server.key", "key\n", 0b110_000_000);

        var (changes, notes) = await FileConvergence.PlanAsync(
            Changes.On(_host, manifest: Manifest).View(_host.Name), [tightened], CancellationToken.None, path => path == key.Path ? "etcd" : null);
        var (own, _) = await FileConvergence.PlanAsync(Changes.On(_host, manifest: Manifest).View(_host.Name), [tightened], CancellationToken.None);

        Assert.Empty(changes);
        Assert.Equal([$"left {key.Path} to etcd's turn: the running etcd reads it"], notes);
        Assert.Equal(ChangeKind.FileMetadata, Assert.Single(own).Kind);
    }

    [Fact]
    public async Task Each_file_an_install_writes_is_recorded_by_it_so_the_next_plan_hashes_nothing()
    {
        var host = new RecordingHost(_host);
        var binary = File("bin/kubelet", "v1\n", 0b111_101_101);
        binary = binary with { StagePath = Path.Combine(_root, "store", "kubelet-" + binary.Sha256[..16]) };
        var conf = File("kubelet.conf", "conf\n");
        var context = Changes.On(host, manifest: Manifest);
        await Changes.ApplyAsync(context, (await FileConvergence.PlanAsync(context.View(host.Name), [binary, conf], CancellationToken.None)).Changes);
        System.IO.File.SetUnixFileMode(conf.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite);
        var fix = Changes.On(host, manifest: Manifest);
        var fixedMode = (await FileConvergence.PlanAsync(fix.View(host.Name), [conf], CancellationToken.None)).Changes;
        await Changes.ApplyAsync(fix, fixedMode);
        host.Clear();

        var (again, _) = await FileConvergence.PlanAsync(Changes.On(host, manifest: Manifest).View(host.Name), [binary, conf], CancellationToken.None);

        Assert.Equal(ChangeKind.FileMetadata, Assert.Single(fixedMode).Kind);
        Assert.Empty(again);
        Assert.Empty(host.Hashes);
        Assert.Single(host.Commands);
        var manifest = InstalledFilesManifest.Parse(await System.IO.File.ReadAllTextAsync(Manifest));
        Assert.Equal(new[] { binary.Path, binary.StagePath!, conf.Path }.Order(StringComparer.Ordinal), manifest.Entries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(binary.Sha256, manifest.Entries[binary.Path].Sha256);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(Manifest));
    }
}
