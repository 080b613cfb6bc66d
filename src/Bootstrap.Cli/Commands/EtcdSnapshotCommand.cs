using System.CommandLine;
using Bootstrap.Cli.Workflow;
using Bootstrap.Core.Config;
using Bootstrap.Core.Etcd;
using Bootstrap.Core.Pki;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Cli.Commands;

/// <summary>
/// <c>bootstrap etcd snapshot save|list|restore</c>: snapshots of etcd on the workstation (<see cref="EtcdSnapshotSave"/>,
/// <see cref="EtcdSnapshotStore"/>, <see cref="EtcdSnapshotRestore"/>).
/// </summary>
internal static class EtcdSnapshotCommand
{
    /// <param name="terminal">Whether a person can answer a question on <paramref name="answers"/> (restore asks before it stops the cluster).</param>
    public static Command Create(ClusterFileInput files, IHostConnector? connector, bool terminal, TextReader? answers)
    {
        var snapshot = new Command("snapshot", "Snapshots of etcd: save one to the workstation, list those the cluster state holds, restore one on every member.");
        snapshot.Subcommands.Add(Save(files, connector));
        snapshot.Subcommands.Add(List(files));
        snapshot.Subcommands.Add(Restore(files, connector, terminal, answers));
        return snapshot;
    }

    private static Command Save(ClusterFileInput files, IHostConnector? connector)
    {
        var flags = new EtcdCommand.Flags();
        var path = new Argument<string?>("PATH")
        {
            Description = "Where to write it (a new file, or a directory); default: the cluster state's etcd-snapshots/CLUSTER-TIME.db.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command(
            "save",
            "Save a snapshot of etcd to the workstation: etcdctl takes it on a healthy member into a root-only temp directory there and checks it "
            + "(snapshot status: hash, revision, keys); it is streamed here (never held whole in memory, progress on the console), checked again "
            + "(the same sha256 as on the member, and etcd's own sha256 at its end) and written 0600 with PATH.sha256 and PATH.json beside it; "
            + "the member's copy is removed. It holds every Secret of the cluster: keep it like the cluster state.")
        {
            path,
        };
        flags.AddTo(command, output: true);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (files.Load(parse.GetValue(flags.File)!, error) is not { } config)
            {
                return ExitCodes.BadInput;
            }

            string? target = null;
            if (parse.GetValue(path) is { } given)
            {
                (target, var problem) = Target(config, given);
                if (problem is not null)
                {
                    await error.WriteLineAsync($"refused: {problem}; nothing was contacted").ConfigureAwait(false);
                    return ExitCodes.BadInput;
                }
            }

            using var logger = RunLogging.Create(error, parse.GetValue(flags.LogFile), parse.GetValue(flags.Verbose));
            var redactor = new SecretRedactor();
            using var interrupt = new InterruptSignal(cancellationToken);
            Dictionary<string, IRemoteHost> hosts = [];
            try
            {
                using var held = StateRunLock.Acquire(config.StateDirectory, "bootstrap etcd snapshot save", create: true, TimeProvider.System);
                (hosts, _) = await HostConnections.ConnectEachAsync(flags.Connector(connector, redactor, logger, parse), config.EtcdMembers, redactor, logger, interrupt.Token)
                    .ConfigureAwait(false);
                var entry = await new EtcdSnapshotSave(config, redactor, logger, TimeProvider.System).RunAsync(hosts, target, interrupt.Token).ConfigureAwait(false);
                await output.WriteAsync(parse.GetValue(flags.Output) == "json"
                    ? System.Text.Json.JsonSerializer.Serialize(EtcdOutput.Snapshot(entry), CliJson.Serializer) + "\n"
                    : $"[snapshot] saved {entry.Path} ({EtcdOutput.Size(entry.Size)}, revision {entry.Metadata!.Revision}, {entry.Metadata.TotalKeys} keys, from {entry.Metadata.Member}); "
                        + $"sha256 {entry.Sha256} in {Path.GetFileName(entry.Path)}{EtcdSnapshotFile.ChecksumSuffix}\n").ConfigureAwait(false);
                return ExitCodes.Success;
            }
            catch (OperationCanceledException) when (interrupt.Token.IsCancellationRequested)
            {
                logger.Warning("[{Phase}] cancelled; nothing was kept", "snapshot");
                return ExitCodes.Cancelled;
            }
            catch (Exception e) when (e is EtcdException or RemoteCommandException or IOException or TimeoutException or PkiStateException or UnauthorizedAccessException)
            {
                logger.Error("[{Phase}] {Error}", "snapshot", redactor.Redact(e.Message));
                return ExitCodes.Failure;
            }
            finally
            {
                await HostConnections.CloseAsync(hosts.Values).ConfigureAwait(false);
            }
        });
        return command;
    }

    private static Command List(ClusterFileInput files)
    {
        var flags = new EtcdCommand.Flags();
        var command = new Command(
            "list",
            "List the snapshots in the cluster state (etcd-snapshots/): when each was saved and from which member, its size, revision and key count, "
            + "and whether it still has the sha256 recorded when it was saved. Reads the workstation only.");
        command.Options.Add(flags.File);
        command.Options.Add(flags.Output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (files.Load(parse.GetValue(flags.File)!, error) is not { } config)
            {
                return ExitCodes.BadInput;
            }

            var store = new EtcdSnapshotStore(config.StateDirectory);
            try
            {
                var snapshots = await store.ListAsync(cancellationToken).ConfigureAwait(false);
                await parse.InvocationConfiguration.Output.WriteAsync(parse.GetValue(flags.Output) == "json"
                    ? EtcdOutput.SnapshotsJson(snapshots)
                    : EtcdOutput.SnapshotsText(snapshots, store.Directory)).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"cannot read {store.Directory}: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    private static Command Restore(ClusterFileInput files, IHostConnector? connector, bool terminal, TextReader? answers)
    {
        var flags = new EtcdCommand.Flags();
        var snapshot = new Argument<string>("SNAPSHOT") { Description = "The snapshot file (with its .sha256 beside it), e.g. from `bootstrap etcd snapshot list`." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation (required when standard input is not a terminal)." };
        var command = new Command(
            "restore",
            "Restore etcd from a snapshot after it lost its quorum or its data. Refused unless the file matches its .sha256 and etcd's own sha256 at its end, "
            + "and its copy on the first member reads with etcdctl snapshot status; asks for confirmation unless --yes. Then: stops every kube-apiserver, "
            + "then every etcd member; on each member moves /var/lib/etcd aside (/var/lib/etcd.before-restore-TIME, never deleted) and restores the "
            + "snapshot as a member of a new cluster of the file's members with a new cluster token; starts etcd and waits until every member is "
            + "healthy; starts the API servers and waits until they are ready; restarts the controller managers and schedulers. Everything written "
            + "after the snapshot was taken is lost.")
        {
            snapshot, yes,
        };
        flags.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (files.Load(parse.GetValue(flags.File)!, error) is not { } config)
            {
                return ExitCodes.BadInput;
            }

            if (parse.GetValue(snapshot) is not { Length: > 0 } given)
            {
                await error.WriteLineAsync("refused: the snapshot path is empty; name a snapshot file (`bootstrap etcd snapshot list` names them)").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            var file = Path.GetFullPath(given);
            EtcdSnapshotEntry entry;
            try
            {
                entry = await EtcdSnapshotRestore.VerifyAsync(file, cancellationToken).ConfigureAwait(false);
            }
            catch (EtcdSnapshotRefusedException e)
            {
                await error.WriteLineAsync($"refused: {e.Message}").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            if (!parse.GetValue(yes) && !await ConfirmAsync(config, entry, parse.GetValue(flags.File) == ClusterFileInput.StandardInput ? false : terminal, answers, error).ConfigureAwait(false))
            {
                return ExitCodes.BadInput;
            }

            using var logger = RunLogging.Create(error, parse.GetValue(flags.LogFile), parse.GetValue(flags.Verbose));
            var redactor = new SecretRedactor();
            using var interrupt = new InterruptSignal(cancellationToken);
            try
            {
                using var held = StateRunLock.Acquire(config.StateDirectory, "bootstrap etcd snapshot restore", create: true, TimeProvider.System);
                var needed = ClusterRunLease.HostsOf(config);
                var hostConnector = flags.Connector(connector, redactor, logger, parse);
                var lease = RunLease.Start(config, hostConnector, "bootstrap etcd snapshot restore", redactor, logger, interrupt.Token);
                await using var giveLeaseBack = lease.ConfigureAwait(false);
                await using var hosts = await ConnectedHosts.ConnectAsync(hostConnector, needed, config.SshConcurrency, logger, interrupt.Token)
                    .ConfigureAwait(false);
                await lease.HeldAsync().ConfigureAwait(false);
                await new EtcdSnapshotRestore(config, redactor, logger, TimeProvider.System).RunAsync(hosts.ByName, entry, interrupt.Token).ConfigureAwait(false);
                await output.WriteLineAsync($"[restore] etcd of {config.Name} holds {file} again (revision {entry.Metadata?.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}); "
                    + "every member is healthy and the API servers are ready").ConfigureAwait(false);
                return ExitCodes.Success;
            }
            catch (ClusterRunLeaseException e)
            {
                logger.Error("[{Phase}] {Error}", "lease", e.Message);
                return ExitCodes.Failure;
            }
            catch (OperationCanceledException) when (interrupt.Token.IsCancellationRequested)
            {
                logger.Warning("[{Phase}] cancelled; run the restore again: it stops, restores and starts everything anew", "restore");
                return ExitCodes.Cancelled;
            }
            catch (HostFanOutException e)
            {
                logger.Error("[{Phase}] cannot reach {Hosts} ({Error}); nothing was changed", "restore", string.Join(", ", e.FailedHosts), redactor.Redact(e.Message));
                return ExitCodes.Failure;
            }
            catch (EtcdSnapshotRefusedException e)
            {
                logger.Error("[{Phase}] refused: {Error}", "restore", redactor.Redact(e.Message));
                return ExitCodes.BadInput;
            }
            catch (Exception e) when (e is EtcdException or RemoteCommandException or IOException or TimeoutException or PkiStateException)
            {
                logger.Error("[{Phase}] {Error}", "restore", redactor.Redact(e.Message));
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    /// <summary>A person types the cluster's name to go on; without one to ask, the restore needs --yes.</summary>
    private static async Task<bool> ConfirmAsync(ClusterConfig config, EtcdSnapshotEntry entry, bool terminal, TextReader? answers, TextWriter error)
    {
        if (!terminal || answers is null)
        {
            await error.WriteLineAsync("refused: a restore stops every API server and etcd member and asks for confirmation first, but standard input is not a terminal; "
                + "pass --yes to restore without asking (nothing was changed)").ConfigureAwait(false);
            return false;
        }

        await error.WriteAsync($"This stops every kube-apiserver and etcd member of {config.Name} ({string.Join(", ", config.EtcdMembers.Select(h => h.Name))}), moves "
            + $"{EtcdDataDirectory.Path} aside on each and restores {entry.Path} (saved {entry.SavedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC"
            + (entry.Metadata is { } m ? $" from {m.Member}, revision {m.Revision}" : string.Empty)
            + $"). Everything written since is lost. Type the cluster's name ({config.Name}) to go on: ").ConfigureAwait(false);
        var answer = await answers.ReadLineAsync().ConfigureAwait(false);
        if (answer?.Trim() == config.Name)
        {
            return true;
        }

        await error.WriteLineAsync("not confirmed; nothing was changed").ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// PATH as given (a directory gets the default name inside it), or why no snapshot can be written there: checked before
    /// any host is contacted, so a snapshot is never taken only to be refused at the end.
    /// </summary>
    internal static (string? Target, string? Problem) Target(ClusterConfig config, string given)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(given);
        if (given.Length == 0)
        {
            return (null, "the snapshot path is empty; name a new file or a directory, or leave PATH out for the cluster state's etcd-snapshots/");
        }

        var full = Path.GetFullPath(given);
        var target = Directory.Exists(full) ? Path.Combine(full, Path.GetFileName(new EtcdSnapshotStore(config.StateDirectory).NewPath(config.Name, DateTimeOffset.UtcNow))) : full;
        var directory = Path.GetDirectoryName(target) ?? "/";
        var quoted = InputQuote.QuotePath(given);
        if (File.Exists(directory))
        {
            return (null, $"{quoted} is in {InputQuote.QuotePath(directory)}, which is a file, not a directory; name a new file in an existing directory, or a directory");
        }

        if (!Directory.Exists(directory))
        {
            return (null, $"{quoted} is in {InputQuote.QuotePath(directory)}, which does not exist; create it first, or name a new file in an existing directory");
        }

        return File.Exists(target) || File.Exists(target + EtcdSnapshotFile.ChecksumSuffix) || Directory.Exists(target + EtcdSnapshotFile.ChecksumSuffix)
            ? (null, $"{InputQuote.QuotePath(target)} exists: choose another path (a snapshot is never overwritten)")
            : (target, null);
    }
}
