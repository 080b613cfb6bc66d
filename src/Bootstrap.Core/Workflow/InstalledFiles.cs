using System.Collections.Concurrent;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Workflow;

/// <summary>
/// The run's use of each host's manifest of installed files (<see cref="InstalledFilesManifest"/>). Every probe of a host's
/// files reads the manifest in the same command as its <c>stat</c> and hashes only the files no entry describes as they
/// are now (with <see cref="Verify"/>, every file, as the manifest is not read). The files a probe hashed are remembered for
/// the host: later probes of the run take their sha256 while they are unchanged, and a run that completed records them in
/// the host's manifest (<see cref="RecordAsync"/>) — bookkeeping, not a change: no event, no restart. A dry run records
/// nothing; files the run installs are recorded by the command that installs them.
/// </summary>
internal sealed class InstalledFiles(string manifest, bool verify)
{
    private readonly ConcurrentDictionary<string, HostRecord> _hosts = new(StringComparer.Ordinal);

    /// <summary>The manifest's path on every host.</summary>
    public string Manifest { get; } = manifest;

    /// <summary><c>--verify</c>: the manifest is not read, every file is hashed (and the manifest then recorded afresh).</summary>
    public bool Verify { get; } = verify;

    /// <summary>The state of each path on <paramref name="host"/> (null where it does not exist); see the class.</summary>
    public async Task<FileProbe> ProbeAsync(
        IRemoteHost host, IReadOnlyList<string> paths, SecretRedactor redactor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        var record = _hosts.GetOrAdd(host.Name, _ => new HostRecord());
        var probe = await RemoteFileProbe.ProbeAsync(host, paths, Verify ? null : Manifest, Verify ? null : record.Hashed(), redactor, cancellationToken)
            .ConfigureAwait(false);
        record.Add(probe);
        return probe;
    }

    /// <summary>
    /// The run installed <paramref name="path"/> on <paramref name="host"/> (the install appended its line to the manifest): what a
    /// probe hashed there before is no longer the file, and is not recorded.
    /// </summary>
    public void Installed(string host, string path) => _hosts.GetOrAdd(host, _ => new HostRecord()).Installed(path);

    /// <summary>The run takes the host's manifest away (<c>bootstrap reset</c>): it records nothing there.</summary>
    public void Forget(string host) => _hosts.GetOrAdd(host, _ => new HostRecord()).Forget();

    /// <summary>
    /// After a run that completed: on each host where files were hashed that the manifest does not hold as they are and the run
    /// did not install since (or whose manifest has lines no entry needs, <see cref="InstalledFilesManifest.Wasteful"/>), reads
    /// the files' <c>stat</c> and the manifest again (one command) and, when that changes its entries or it has such lines,
    /// writes it whole (one more): each hashed file recorded while it still has the identity it was hashed with, and the
    /// entries of the files it read that no longer describe them dropped. A failure is logged and changes nothing else: those
    /// files are hashed again next time. A fresh install, whose installs appended one line per file, records nothing here.
    /// </summary>
    public async Task RecordAsync(ApplyContext apply, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(apply);
        using var gate = new SemaphoreSlim(Math.Max(1, apply.Config.SshConcurrency));
        await Task.WhenAll(_hosts.Select(async pair =>
        {
            var (name, record) = (pair.Key, pair.Value);
            if (record.ToRecord() is not { } work)
            {
                return;
            }

            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var host = apply.Host(name);
                var (stats, current) = await RemoteFileProbe.StatAsync(host, work.Paths, Manifest, cancellationToken).ConfigureAwait(false);
                var text = current!.Merge(stats, work.Hashed);
                if (current.Wasteful || !current.HasEntriesOf(InstalledFilesManifest.Parse(text)))
                {
                    await host.RunCheckedAsync(InstalledFilesManifest.WriteCommand(Manifest, text), apply.Redactor, cancellationToken).ConfigureAwait(false);
                    apply.Logger.Debug("[{Phase}] {Host}: {Manifest} records {Count} files hashed in this run", "installed-files", name, Manifest, work.Hashed.Count);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                apply.Logger.Warning("[{Phase}] {Host}: the files hashed in this run were not recorded in {Manifest} ({Error}); the next run hashes them again",
                    "installed-files", name, Manifest, apply.Redactor.Redact(e.Message));
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
    }

    /// <summary>One host's side: the files the run hashed, the manifest as the probes read it.</summary>
    private sealed class HostRecord
    {
        private readonly Dictionary<string, InstalledFile> _hashed = new(StringComparer.Ordinal);
        private readonly HashSet<string> _listed = new(StringComparer.Ordinal);
        private readonly HashSet<string> _installed = new(StringComparer.Ordinal);
        private InstalledFilesManifest? _read;
        private bool _wasteful;
        private bool _forgotten;

        public IReadOnlyDictionary<string, InstalledFile> Hashed()
        {
            lock (_hashed)
            {
                return new Dictionary<string, InstalledFile>(_hashed, StringComparer.Ordinal);
            }
        }

        public void Add(FileProbe probe)
        {
            lock (_hashed)
            {
                foreach (var entry in probe.Hashed)
                {
                    _hashed[entry.Path] = entry;
                }

                if (probe.Manifest is { } read)
                {
                    _read = read;
                    _wasteful |= read.Wasteful;
                    _listed.UnionWith(read.Entries.Keys);
                }
            }
        }

        public void Installed(string path)
        {
            lock (_hashed)
            {
                _installed.Add(path);
            }
        }

        public void Forget()
        {
            lock (_hashed)
            {
                _forgotten = true;
            }
        }

        /// <summary>What to record: the hashed files the manifest lacks (as they were hashed), and every path to read again; null when nothing.</summary>
        public (IReadOnlyList<string> Paths, IReadOnlyList<InstalledFile> Hashed)? ToRecord()
        {
            lock (_hashed)
            {
                var missing = _hashed.Values.Where(e => _read?.Entries.GetValueOrDefault(e.Path) != e && !_installed.Contains(e.Path)).ToList();
                if (_forgotten || (missing.Count == 0 && !_wasteful))
                {
                    return null;
                }

                IReadOnlyList<string> paths = [.. missing.Select(e => e.Path).Union(_listed, StringComparer.Ordinal)];
                return paths.Count == 0 ? null : (paths, missing);
            }
        }
    }
}
