using System.Collections.Concurrent;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Core.Install;

/// <summary>
/// Plans <see cref="DesiredFile"/>s on a host: one read of every file's sha256, mode and owner, and one
/// <see cref="Change"/> per file that differs. Applying a change writes the file atomically, checks its
/// sha256 on the host and records it in the host's manifest of installed files (with the rename that puts it
/// in place); each directory is created once, by the first change that needs it.
/// </summary>
internal static class FileConvergence
{
    /// <param name="deferredTo">
    /// For a path read by a service that runs now, that service's component: such a file (its content, mode or owner) is not changed here but
    /// left to the component's own phase, which writes it in the host's turn of its roll (reported as a note). When it is given
    /// and no running service reads any of <paramref name="files"/> (a host the cluster does not run on yet), a large file is
    /// sent as fast as the host takes it (<see cref="FileSpec.WideInput"/>); next to a running service, through the kernel's
    /// 64 KiB pipe, as before: the full lab run with every staging widened (upgrade apply staging ~500 MB on each control plane
    /// while etcd served writes; every lab machine on one disk) saw two etcd elections where the test allows one.
    /// </param>
    public static async Task<(IReadOnlyList<Change> Changes, IReadOnlyList<string> Notes)> PlanAsync(
        HostView view, IReadOnlyList<DesiredFile> files, CancellationToken cancellationToken, Func<string, string?>? deferredTo = null)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(files);
        var current = await view.FilesAsync([.. files.Select(f => f.Path), .. files.Where(f => f.StagePath is not null).Select(f => f.StagePath!)], cancellationToken)
            .ConfigureAwait(false);
        // Every staging goes first, then the other changes in the files' order: the stagings form one run side by side (up to four
        // at a time; the host passes one upload's bytes at a time while the others' temp files and checks run), and the other
        // changes a second run, which begins once every staging is done: no binary goes in place before all of them are staged,
        // then they go in place side by side (one root command each).
        var wide = deferredTo is not null && files.All(f => deferredTo(f.Path) is null);
        var stagings = new List<Change>();
        var changes = new List<Change>();
        var notes = new List<string>();
        var directories = new DirectorySet();
        var small = new SmallFiles(view.Name, directories);
        foreach (var file in files)
        {
            var state = current[file.Path];
            ChangeKind? kind = state is null ? ChangeKind.FileCreate
                : !string.Equals(state.Sha256, file.Sha256, StringComparison.OrdinalIgnoreCase) ? ChangeKind.FileReplace
                : !state.MatchesMetadata(file.Spec) ? ChangeKind.FileMetadata
                : null;
            if (kind is not { } k)
            {
                continue;
            }

            // A new mode or owner can take a running reader's access away as surely as new content can break it.
            var component = k is ChangeKind.FileReplace or ChangeKind.FileMetadata ? deferredTo?.Invoke(file.Path) : null;
            if (file.StagePath is { } stage && k != ChangeKind.FileMetadata
                && !string.Equals(current[stage]?.Sha256, file.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                // The plan read it: missing, or with other content.
                var staged = file with { Spec = file.Spec with { Path = stage, Owner = "root", Group = "root", Differs = true, WideInput = wide } };
                view.WouldWrite(stage, new RemoteFileState(file.Sha256, staged.Spec.Mode, "root", "root"));
                directories.Register(stage);
                stagings.Add(new Change
                {
                    Host = view.Name,
                    Kind = ChangeKind.FileCreate,
                    Target = stage,
                    To = Describe(file.Sha256, staged.Spec.Mode, "root", "root"),
                    Reason = component is null ? $"staged for {file.Path}" : $"staged for {file.Path}, which the running {component} switches to in its turn",
                    SideBySide = true,
                    Apply = (apply, ct) => WriteAsync(apply, view.Name, staged, directories, ct),
                });
            }

            if (component is not null)
            {
                notes.Add($"left {file.Path} to {component}'s turn: the running {component} reads it");
                continue;
            }

            view.WouldWrite(file.Path, new RemoteFileState(file.Sha256, file.Spec.Mode, file.Spec.Owner, file.Spec.Group));
            directories.Register(file.Path);
            changes.Add(new Change
            {
                Host = view.Name,
                Kind = k,
                Target = file.Path,
                From = state is null ? null : Describe(state.Sha256, state.Mode, state.Owner, state.Group),
                To = Describe(file.Sha256, file.Spec.Mode, file.Spec.Owner, file.Spec.Group),
                Reason = k == ChangeKind.FileReplace ? (file.StagePath is null ? "content differs" : "content differs; put in place from the staged binary") : null,
                // After the stagings (the first of these changes begins a run), every one side by side.
                SideBySide = true,
                Apply = file.StagePath is { } from && k != ChangeKind.FileMetadata
                    ? (apply, ct) => ActivateAsync(apply, view.Name, file, from, state?.Sha256, directories, ct)
                    : (apply, ct) => WriteAsync(apply, view.Name, k == ChangeKind.FileMetadata ? file : file with { Spec = file.Spec with { Differs = true, WideInput = wide } }, directories, ct),
                // The files written whole (not a staged binary put in place) go to the host together when they are side by side.
                Together = file.StagePath is not null && k != ChangeKind.FileMetadata ? null : small.Add(file),
            });
        }

        if (stagings.Count > 0 && changes.Count > 0)
        {
            changes[0] = changes[0] with { BeginsRun = true };
        }

        return ([.. stagings, .. changes], notes);
    }

    /// <summary>
    /// A file whose content can only be known when the change is applied (it depends on what an earlier change of the run
    /// makes, e.g. the pod range the controller manager allocates a Node as it registers): planned as created or replaced,
    /// <paramref name="reason"/> saying from what; applied by rendering it then and writing it when it differs.
    /// </summary>
    public static async Task<Change> DeferredAsync(
        HostView view, FileSpec spec, string reason, Func<ApplyContext, CancellationToken, Task<byte[]>> render, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(render);
        var state = (await view.FilesAsync([spec.Path], cancellationToken).ConfigureAwait(false))[spec.Path];
        return new Change
        {
            Host = view.Name,
            Kind = state is null ? ChangeKind.FileCreate : ChangeKind.FileReplace,
            Target = spec.Path,
            From = state is null ? null : Describe(state.Sha256, state.Mode, state.Owner, state.Group),
            Reason = reason,
            Apply = async (apply, ct) =>
            {
                var file = DesiredFile.FromBytes(spec, await render(apply, ct).ConfigureAwait(false));
                return state is not null && state.Matches(spec, file.Sha256)
                    ? ["already as rendered"]
                    : await WriteAsync(apply, view.Name, file, new DirectorySet(), ct).ConfigureAwait(false);
            },
        };
    }

    /// <summary>One <see cref="ChangeKind.FileRemove"/> per path of <paramref name="paths"/> that exists on the host.</summary>
    public static async Task<IReadOnlyList<Change>> RemovalsAsync(HostView view, IReadOnlyList<string> paths, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(paths);
        var current = await view.FilesAsync(paths, cancellationToken).ConfigureAwait(false);
        return [.. paths.Where(p => current[p] is not null).Select(path => new Change
        {
            Host = view.Name,
            Kind = ChangeKind.FileRemove,
            Target = path,
            From = current[path] is { } state ? Describe(state.Sha256, state.Mode, state.Owner, state.Group) : null,
            Reason = reason,
            Apply = async (apply, ct) =>
            {
                await apply.Host(view.Name).RunCheckedAsync(new RemoteCommand(["rm", "-f", "--", path], sudo: true), apply.Redactor, ct).ConfigureAwait(false);
                return [];
            },
        })];
    }

    /// <summary>The changes' paths whose content changes (created or replaced), for services that read them.</summary>
    public static IReadOnlySet<string> ContentChanges(IEnumerable<Change> changes) =>
        changes.Where(c => c.Kind is ChangeKind.FileCreate or ChangeKind.FileReplace).Select(c => c.Target).ToHashSet(StringComparer.Ordinal);

    private static string Describe(string sha256, int mode, string owner, string group) =>
        $"sha256:{sha256[..Math.Min(12, sha256.Length)]} {Convert.ToString(mode, 8).PadLeft(4, '0')} {owner}:{group}";

    private static async Task<IReadOnlyList<string>> WriteAsync(ApplyContext apply, string hostName, DesiredFile file, DirectorySet directories, CancellationToken cancellationToken)
    {
        var host = apply.Host(hostName);
        await directories.EnsureAsync(host, AtomicInstall.Split(file.Path).Directory, apply.Redactor, cancellationToken).ConfigureAwait(false);

        var content = await file.Open(cancellationToken).ConfigureAwait(false);
        await using (content.ConfigureAwait(false))
        {
            // The digest is the desired file's (a binary's was checked on the workstation): not hashed again per host, and the
            // host's copy is checked against it before it goes in place.
            var result = await host.UploadAsync(content, file.Spec with { Manifest = apply.Run.InstalledFiles.Manifest, Sha256 = file.Sha256 }, cancellationToken)
                .ConfigureAwait(false);
            if (!string.Equals(result.Sha256, file.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new IOException($"{host.Name}: {file.Path} was written with sha256 {result.Sha256}, expected {file.Sha256}");
            }
        }

        apply.Run.InstalledFiles.Installed(hostName, file.Path);
        return [];
    }

    /// <summary>
    /// Puts a staged binary in place with a copy on the host (temp file beside the target, compared with the staged file, mode
    /// and owner, rename), then removes the other staged versions of it but the one it replaced: one command
    /// (<see cref="AtomicInstall.PutInPlaceAsync"/>), side by side with the host's other binaries.
    /// </summary>
    private static async Task<IReadOnlyList<string>> ActivateAsync(
        ApplyContext apply, string hostName, DesiredFile file, string stage, string? replaced, DirectorySet directories, CancellationToken cancellationToken)
    {
        var host = apply.Host(hostName);
        await directories.EnsureAsync(host, AtomicInstall.Split(file.Path).Directory, apply.Redactor, cancellationToken).ConfigureAwait(false);

        var (store, staged) = AtomicInstall.Split(stage);
        var name = staged[..staged.LastIndexOf('-')];
        var keep = replaced is null ? stage : $"{store}/{name}-{replaced[..Math.Min(replaced.Length, staged.Length - name.Length - 1)]}";
        await AtomicInstall.PutInPlaceAsync(
            host, file.Spec with { Manifest = apply.Run.InstalledFiles.Manifest }, file.Sha256, stage,
            ["find", store, "-maxdepth", "1", "-name", name + "-*", "!", "-path", stage, "!", "-path", keep, "-delete"], apply.Redactor, cancellationToken)
            .ConfigureAwait(false);
        apply.Run.InstalledFiles.Installed(hostName, file.Path);
        return [];
    }

    /// <summary>
    /// The files of one plan that are written whole, made together when the runner hands them over side by side
    /// (<see cref="IChangeBatch"/>): their contents are read, and those of at most <see cref="AtomicInstall.OneCommandLimit"/>
    /// bytes go to the host in a few commands (<see cref="IRemoteHost.UploadSmallAsync"/>, which makes their directories as it
    /// needs them), instead of one command each; a larger one is written on its own, as its change alone would.
    /// </summary>
    private sealed class SmallFiles(string host, DirectorySet directories) : IChangeBatch
    {
        private readonly Dictionary<string, DesiredFile> _files = new(StringComparer.Ordinal);

        public SmallFiles Add(DesiredFile file)
        {
            _files[file.Path] = file;
            return this;
        }

        public async Task ApplyAsync(IReadOnlyList<Change> changes, ApplyContext apply, Action<int, IReadOnlyList<string>> applied, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(changes);
            ArgumentNullException.ThrowIfNull(apply);
            ArgumentNullException.ThrowIfNull(applied);
            var uploads = new List<SmallUpload>();
            var together = new List<int>();
            var alone = new List<int>();
            for (var i = 0; i < changes.Count; i++)
            {
                var file = _files[changes[i].Target];
                if (await ContentAsync(file, cancellationToken).ConfigureAwait(false) is { } content)
                {
                    uploads.Add(new SmallUpload(content, file.Spec with { Manifest = apply.Run.InstalledFiles.Manifest }, file.Sha256));
                    together.Add(i);
                }
                else
                {
                    alone.Add(i);
                }
            }

            var failures = new SortedDictionary<int, Exception>();
            if (uploads.Count > 0)
            {
                var outcomes = await apply.Host(host).UploadSmallAsync(uploads, cancellationToken).ConfigureAwait(false);
                for (var k = 0; k < together.Count; k++)
                {
                    var outcome = outcomes[k];
                    if (outcome.Error is { } error)
                    {
                        failures[together[k]] = error;
                    }
                    else if (!string.Equals(outcome.Result?.Sha256, uploads[k].Sha256, StringComparison.OrdinalIgnoreCase))
                    {
                        failures[together[k]] = new IOException($"{host}: {uploads[k].Target.Path} was written with sha256 {outcome.Result?.Sha256}, expected {uploads[k].Sha256}");
                    }
                    else
                    {
                        apply.Run.InstalledFiles.Installed(host, uploads[k].Target.Path);
                        applied(together[k], []);
                    }
                }
            }

            foreach (var i in alone.Where(_ => failures.Count == 0))
            {
                applied(i, await WriteAsync(apply, host, _files[changes[i].Target], directories, cancellationToken).ConfigureAwait(false));
            }

            if (failures.Count > 0)
            {
                var first = failures.First().Value;
                throw failures.Count == 1 ? first : new IOException(first.Message + $" ({failures.Count - 1} more of the host's files were not written either)", first);
            }
        }

        /// <summary>The whole content, when it is at most <see cref="AtomicInstall.OneCommandLimit"/> bytes; null otherwise.</summary>
        private static async Task<byte[]?> ContentAsync(DesiredFile file, CancellationToken cancellationToken)
        {
            var stream = await file.Open(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                if (stream.CanSeek && stream.Length - stream.Position > AtomicInstall.OneCommandLimit)
                {
                    return null;
                }

                using var copy = new MemoryStream();
                var buffer = new byte[81920];
                int read;
                while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    if (copy.Length + read > AtomicInstall.OneCommandLimit)
                    {
                        return null;
                    }

                    copy.Write(buffer, 0, read);
                }

                return copy.ToArray();
            }
        }
    }

    /// <summary>
    /// The directories of one plan's files, made by one <c>mkdir -p</c> when the first change that writes a file needs its
    /// directory (the others wait for it): a host's files in a few directories cost one command, not one per directory. A
    /// directory no change of the plan registered (a file rendered when applied) is made on its own.
    /// </summary>
    private sealed class DirectorySet
    {
        private readonly SortedSet<string> _planned = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, Lazy<Task>> _made = new(StringComparer.Ordinal);

        /// <summary>Registers the directory of <paramref name="path"/>, a file a change of the plan writes.</summary>
        public void Register(string path) => _planned.Add(AtomicInstall.Split(path).Directory);

        public Task EnsureAsync(IRemoteHost host, string directory, SecretRedactor redactor, CancellationToken cancellationToken)
        {
            // The plan's directories share one entry (the empty key: no directory is named so).
            var planned = _planned.Contains(directory);
            IReadOnlyList<string> batch = planned ? [.. _planned] : [directory];
            return _made.GetOrAdd(planned ? string.Empty : directory, _ => new Lazy<Task>(() =>
                host.RunCheckedAsync(new RemoteCommand(["mkdir", "-p", "--", .. batch], sudo: true), redactor, cancellationToken))).Value;
        }
    }
}
