using Bootstrap.Core.Config;
using Bootstrap.Core.Remote;
using Serilog;

namespace Bootstrap.Core.Etcd;

/// <summary>
/// <c>bootstrap etcd snapshot save</c>: a snapshot taken by etcdctl on a healthy member into a root-only temp
/// directory there, checked there (<c>etcdctl snapshot status</c>: hash, revision, keys), streamed to the workstation
/// (never whole in memory), checked again here (the same sha256 as on the host, and etcd's own sha256 at its end),
/// then put in place 0600 with its <c>.sha256</c> and <c>.json</c>; the host's copy is removed whatever happens.
/// </summary>
internal sealed class EtcdSnapshotSave(ClusterConfig config, SecretRedactor redactor, ILogger logger, TimeProvider time)
{
    private const string Phase = "snapshot";

    /// <param name="members">The etcd members that could be connected (at least one must be healthy).</param>
    /// <param name="path">Where to write it; null for the cluster state's snapshot directory.</param>
    /// <exception cref="EtcdException">No member is healthy, or etcd refused, or the snapshot does not verify.</exception>
    public async Task<EtcdSnapshotEntry> RunAsync(IReadOnlyDictionary<string, IRemoteHost> members, string? path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("snapshots are written with Unix file modes (0600); run bootstrap on Linux or macOS");
        }

        var reachable = config.EtcdMembers.Where(h => members.ContainsKey(h.Name)).Select(h => (h, (ICommandRunner)members[h.Name])).ToList();
        if (reachable.Count == 0)
        {
            throw new EtcdException($"no etcd member ({string.Join(", ", config.EtcdMembers.Select(h => h.Name))}) could be connected, for the reasons above: "
                + "there is nothing to take a snapshot from");
        }

        var observation = await EtcdObserver.ReadAsync(reachable, redactor, cancellationToken).ConfigureAwait(false);
        if (observation.Coordinator is not { } name)
        {
            throw new EtcdException($"no etcd member answers a health check ({string.Join(", ", reachable.Select(r => r.h.Name))} asked): there is nothing to take a snapshot from; "
                + "`bootstrap etcd status` shows what each member says");
        }

        var member = config.EtcdMembers.Single(h => h.Name == name);
        var host = members[name];
        var client = EtcdClient.OnMember(host, member, redactor);
        var target = Path.GetFullPath(path ?? new EtcdSnapshotStore(config.StateDirectory).NewPath(config.Name, time.GetUtcNow()));
        var directory = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var remoteDirectory = (await host.RunCheckedAsync(new RemoteCommand(["mktemp", "-d", "/var/tmp/bootstrap-etcd-snapshot.XXXXXXXX"], sudo: true), redactor, cancellationToken)
            .ConfigureAwait(false)).Stdout.Trim();
        var remote = remoteDirectory + "/snapshot.db";
        var temp = Path.Combine(directory, "." + Path.GetFileName(target) + ".part");
        try
        {
            logger.Information("[{Phase}] {Host}: saving a snapshot of etcd into {Path}", Phase, name, remote);
            await client.SaveSnapshotAsync(remote, cancellationToken).ConfigureAwait(false);
            var status = await client.SnapshotStatusAsync(remote, cancellationToken).ConfigureAwait(false);
            var sum = await host.RunCheckedAsync(RemoteFileState.Sha256Command([remote]), redactor, cancellationToken).ConfigureAwait(false);
            var remoteSha256 = RemoteFileState.ParseSha256Sum(sum.Stdout);
            logger.Information("[{Phase}] {Host}: revision {Revision}, {Keys} keys, hash {Hash}; copying it to {Target}", Phase, name, status.Revision, status.TotalKeys, status.Hash, target);

            var options = new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                Options = FileOptions.Asynchronous,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            var file = new FileStream(temp, options);
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await using (file.ConfigureAwait(false))
            {
                if (!await host.DownloadToAsync(remote, file, cancellationToken).ConfigureAwait(false))
                {
                    throw new EtcdException($"{name}: {remote} vanished before it was copied");
                }
            }

            var sha256 = await EtcdSnapshotFile.Sha256Async(temp, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(sha256, remoteSha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new EtcdException($"the copy of the snapshot has sha256 {sha256}, {name}'s has {remoteSha256}: the transfer damaged it; nothing was kept");
            }

            if (await EtcdSnapshotFile.TrailerProblemAsync(temp, cancellationToken).ConfigureAwait(false) is { } problem)
            {
                throw new EtcdException($"the snapshot from {name} does not verify: {problem}; nothing was kept");
            }

            var size = new FileInfo(temp).Length;
            File.Move(temp, target, overwrite: false);
            var metadata = new EtcdSnapshotMetadata
            {
                Cluster = config.Name,
                Member = name,
                SavedAt = time.GetUtcNow(),
                Size = size,
                Sha256 = sha256,
                Hash = status.Hash,
                Revision = status.Revision,
                TotalKeys = status.TotalKeys,
            };
            await EtcdSnapshotFile.WritePrivateAsync(target + EtcdSnapshotFile.ChecksumSuffix, EtcdSnapshotFile.ChecksumLine(sha256, target), cancellationToken).ConfigureAwait(false);
            await EtcdSnapshotFile.WritePrivateAsync(target + EtcdSnapshotFile.MetadataSuffix, EtcdSnapshotFile.Metadata(metadata), cancellationToken).ConfigureAwait(false);
            return new EtcdSnapshotEntry(target, size, metadata.SavedAt, metadata, sha256, sha256);
        }
        finally
        {
            File.Delete(temp);
            await AtomicInstall.RemoveQuietlyAsync(host, remoteDirectory, sudo: true, recursive: true).ConfigureAwait(false);
        }
    }
}
