using System.Globalization;
using Bootstrap.Core.Config;
using Bootstrap.Core.ControlPlane;
using Bootstrap.Core.Install;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;
using Serilog;

namespace Bootstrap.Core.Etcd;

/// <summary>
/// <c>bootstrap etcd snapshot restore</c>: the way back after etcd lost its quorum (or its data). Everything that can be
/// checked is checked before anything stops: the file against its <c>.sha256</c> and etcd's own trailing sha256, its
/// copy on every member, and <c>etcdctl snapshot status</c> of the copy on the first member. Then every kube-apiserver
/// stops, then every etcd member; on each member the data directory is moved aside (never deleted) and the snapshot
/// restored as a member of a new cluster of the file's members, with a new cluster token; etcd starts on all of them
/// and each must be healthy; the API servers start and must be ready; the controller managers and schedulers restart
/// (they cached objects of the lost state). The units are not touched: etcd ignores their initial-cluster flags once
/// it has data, so the next <c>init</c> changes nothing.
/// </summary>
internal sealed class EtcdSnapshotRestore(ClusterConfig config, SecretRedactor redactor, ILogger logger, TimeProvider time)
{
    private const string Phase = "restore";

    /// <summary>The snapshot file, if it may be restored: it is there, matches its <c>.sha256</c>, and etcd's own sha256 at its end.</summary>
    /// <exception cref="EtcdSnapshotRefusedException">Why it may not.</exception>
    public static async Task<EtcdSnapshotEntry> VerifyAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new EtcdSnapshotRefusedException(Directory.Exists(path)
                ? $"{path} is a directory; expected a snapshot file (`bootstrap etcd snapshot list` names them)"
                : $"{path}: no such file");
        }

        // An empty file, and a device or kernel file (which say they are empty: /dev/zero, whose sha256 never ends), is no snapshot.
        if (new FileInfo(path).Length == 0)
        {
            throw new EtcdSnapshotRefusedException($"{path} is empty (0 bytes, or not a regular file); expected a snapshot file (`bootstrap etcd snapshot list` names them)");
        }

        EtcdSnapshotEntry entry;
        try
        {
            entry = await EtcdSnapshotStore.ReadAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A link that loops or points nowhere, a file this user may not read: said as a refusal, not as an internal error.
            throw new EtcdSnapshotRefusedException($"{path} cannot be read: {(e is UnauthorizedAccessException ? "permission denied" : e.Message)}");
        }

        if (entry.RecordedSha256 is null)
        {
            throw new EtcdSnapshotRefusedException($"{path}{EtcdSnapshotFile.ChecksumSuffix} is missing or holds no sha256: a snapshot is restored only when it can be checked "
                + $"(`bootstrap etcd snapshot save` writes it; for a file from elsewhere write its sha256 there, as `sha256sum` prints it)");
        }

        if (!entry.Matches)
        {
            throw new EtcdSnapshotRefusedException($"{path} has sha256 {entry.Sha256}, but {Path.GetFileName(path)}{EtcdSnapshotFile.ChecksumSuffix} says {entry.RecordedSha256}: "
                + "the file changed or was damaged since it was saved; nothing was stopped");
        }

        if (await EtcdSnapshotFile.TrailerProblemAsync(path, cancellationToken).ConfigureAwait(false) is { } problem)
        {
            throw new EtcdSnapshotRefusedException($"{path} is not a snapshot etcd can restore: {problem}; nothing was stopped");
        }

        return entry;
    }

    /// <param name="hosts">Every etcd member and control-plane host of the file, connected.</param>
    /// <exception cref="EtcdSnapshotRefusedException">The copies do not verify; nothing was stopped.</exception>
    /// <exception cref="EtcdException">A step failed after the cluster was stopped; the message says what to do.</exception>
    public async Task RunAsync(IReadOnlyDictionary<string, IRemoteHost> hosts, EtcdSnapshotEntry snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        ArgumentNullException.ThrowIfNull(snapshot);
        var members = config.EtcdMembers;
        var controlPlanes = config.ControlPlaneHosts;
        var copies = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            await EachAsync(members, async member =>
            {
                var host = hosts[member.Name];
                var directory = (await host.RunCheckedAsync(new RemoteCommand(["mktemp", "-d", "/var/tmp/bootstrap-etcd-restore.XXXXXXXX"], sudo: true), redactor, cancellationToken)
                    .ConfigureAwait(false)).Stdout.Trim();
                lock (copies)
                {
                    copies[member.Name] = directory;
                }

                var file = new FileStream(snapshot.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
                await using (file.ConfigureAwait(false))
                {
                    // The upload checks the sha256 of the copy on the host before it is put in place.
                    // Into the directory just made: the host does not hold the file, so the content goes in one command.
                    await host.UploadAsync(file, new FileSpec(Copy(directory), Mode: 0b110_000_000) { Differs = true }, cancellationToken).ConfigureAwait(false);
                }

                logger.Information("[{Phase}] {Host}: copied {Snapshot} ({Bytes} bytes, sha256 {Sha256})", Phase, member.Name, snapshot.Path, snapshot.Size, snapshot.Sha256);
            }).ConfigureAwait(false);

            var first = members[0];
            var status = await EtcdClient.OnMember(hosts[first.Name], first, redactor).SnapshotStatusAsync(Copy(copies[first.Name]), cancellationToken).ConfigureAwait(false);
            if (snapshot.Metadata is { } recorded && (recorded.Hash != status.Hash || recorded.Revision != status.Revision))
            {
                throw new EtcdSnapshotRefusedException($"etcdctl snapshot status on {first.Name} reads hash {status.Hash} at revision {status.Revision}, "
                    + $"but the snapshot was saved with hash {recorded.Hash} at revision {recorded.Revision}; nothing was stopped");
            }

            logger.Information("[{Phase}] {Host}: the snapshot reads: revision {Revision}, {Keys} keys, hash {Hash}; stopping the API servers, then etcd",
                Phase, first.Name, status.Revision, status.TotalKeys, status.Hash);
            await RestoreAsync(hosts, copies, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var (member, directory) in copies)
            {
                await AtomicInstall.RemoveQuietlyAsync(hosts[member], directory, sudo: true, recursive: true).ConfigureAwait(false);
            }
        }
    }

    private async Task RestoreAsync(IReadOnlyDictionary<string, IRemoteHost> hosts, IReadOnlyDictionary<string, string> copies, CancellationToken cancellationToken)
    {
        var members = config.EtcdMembers;
        var controlPlanes = config.ControlPlaneHosts;
        var stamp = time.GetUtcNow();
        var waiting = Waiting.Uncounted(time); // not a workflow run: nothing reports its waits
        var token = $"etcd-{config.Name}-restored-{stamp.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";
        var initialCluster = EtcdInitialCluster.New(config).Members;
        var aside = new List<string>();
        var step = "stopping kube-apiserver";
        try
        {
            await EachAsync(controlPlanes, h => SystemctlAsync(hosts[h.Name], "stop", "kube-apiserver.service", cancellationToken)).ConfigureAwait(false);
            step = "stopping etcd";
            await EachAsync(members, h => SystemctlAsync(hosts[h.Name], "stop", "etcd.service", cancellationToken)).ConfigureAwait(false);
            step = "restoring the snapshot";
            await EachAsync(members, async member =>
            {
                var host = hosts[member.Name];
                var moved = EtcdDataDirectory.Aside("before-restore", stamp);
                var exists = await host.RunAsync(new RemoteCommand(["test", "-e", EtcdDataDirectory.Path], sudo: true), cancellationToken).ConfigureAwait(false);
                if (exists.Succeeded)
                {
                    await host.RunCheckedAsync(new RemoteCommand(["mv", "-T", "--", EtcdDataDirectory.Path, moved], sudo: true), redactor, cancellationToken).ConfigureAwait(false);
                    lock (aside)
                    {
                        aside.Add($"{member.Name}:{moved}");
                    }
                }

                await EtcdClient.OnMember(host, member, redactor).RestoreSnapshotAsync(
                    Copy(copies[member.Name]), member.Name, initialCluster, token, EtcdClient.PeerUrl(member), EtcdDataDirectory.Path, cancellationToken).ConfigureAwait(false);
                await host.RunCheckedAsync(new RemoteCommand(["chown", "-R", $"{InstallFiles.EtcdUser}:{InstallFiles.EtcdUser}", "--", EtcdDataDirectory.Path], sudo: true), redactor, cancellationToken)
                    .ConfigureAwait(false);
                await host.RunCheckedAsync(new RemoteCommand(["chmod", "0700", "--", EtcdDataDirectory.Path], sudo: true), redactor, cancellationToken).ConfigureAwait(false);
                logger.Information("[{Phase}] {Host}: restored into {Path} (the old data is in {Aside})", Phase, member.Name, EtcdDataDirectory.Path, exists.Succeeded ? moved : "nowhere: there was none");
            }).ConfigureAwait(false);

            step = "starting etcd";
            await EachAsync(members, h => SystemctlAsync(hosts[h.Name], "start", "etcd.service", cancellationToken)).ConfigureAwait(false);
            await EachAsync(members, h => ServiceControl.WaitHealthyAsync(hosts[h.Name], ServiceCatalog.Etcd(), redactor, waiting, cancellationToken)).ConfigureAwait(false);
            logger.Information("[{Phase}] every etcd member is healthy; starting the API servers", Phase);

            step = "starting kube-apiserver";
            await EachAsync(controlPlanes, h => SystemctlAsync(hosts[h.Name], "start", "kube-apiserver.service", cancellationToken)).ConfigureAwait(false);
            await EachAsync(controlPlanes, h => ServiceControl.WaitHealthyAsync(hosts[h.Name], ServiceCatalog.ApiServer(config, h), redactor, waiting, cancellationToken)).ConfigureAwait(false);

            // They cached objects of the state the snapshot replaced.
            step = "restarting kube-controller-manager and kube-scheduler";
            await EachAsync(controlPlanes, async h =>
            {
                foreach (var service in new[] { ServiceCatalog.ControllerManager(), ServiceCatalog.Scheduler() })
                {
                    await SystemctlAsync(hosts[h.Name], "restart", service.Unit, cancellationToken).ConfigureAwait(false);
                    await ServiceControl.WaitHealthyAsync(hosts[h.Name], service, redactor, waiting, cancellationToken).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
            logger.Information("[{Phase}] the API servers are ready on {Hosts}", Phase, string.Join(", ", controlPlanes.Select(h => h.Name)));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new EtcdException(
                $"the restore stopped while {step}: {redactor.Redact(e.Message)}. "
                + (aside.Count > 0 ? $"The data before it is kept aside ({string.Join(", ", aside.Order(StringComparer.Ordinal))}). " : string.Empty)
                + "Fix the cause and run the restore again (it stops, restores and starts everything anew), or see docs/etcd.md", e);
        }
    }

    private static string Copy(string directory) => directory + "/snapshot.db";

    private async Task SystemctlAsync(IRemoteHost host, string verb, string unit, CancellationToken cancellationToken)
    {
        await host.RunCheckedAsync(new RemoteCommand(verb == "stop" ? ["systemctl", "stop", unit] : ["systemctl", verb, "--no-block", unit], sudo: true), redactor, cancellationToken)
            .ConfigureAwait(false);
        logger.Information("[{Phase}] {Host}: {Verb} {Unit}", Phase, host.Name, verb == "stop" ? "stopped" : verb == "start" ? "started" : "restarted", unit);
    }

    private static async Task EachAsync(IReadOnlyList<HostSpec> hosts, Func<HostSpec, Task> action) =>
        await Task.WhenAll(hosts.Select(action)).ConfigureAwait(false);
}
