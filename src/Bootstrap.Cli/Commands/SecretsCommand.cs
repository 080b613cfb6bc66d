using System.CommandLine;
using Bootstrap.Cli.Workflow;
using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Phases;
using Bootstrap.Core.Phases.Preflight;
using Bootstrap.Core.Pki;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Secrets;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Cli.Commands;

/// <summary>
/// <c>bootstrap secrets rotate-encryption-key -f cluster.yaml</c>: a new encryption-at-rest key, rolled out to the API
/// servers in the safe order, every Secret re-encrypted with it, then the old key removed (see <see cref="EncryptionKeyRotation"/>).
/// Exit codes: 0 rotated, 1 a step failed (run it again to resume), 2 bad input, 130 cancelled.
/// </summary>
internal static class SecretsCommand
{
    private const string ApiServerPhase = "control-plane/apiserver";

    public static Command Create(ClusterFileInput files, IHostConnector? connector = null)
    {
        var secrets = new Command("secrets", "The cluster's secrets that Bootstrap keeps (the encryption-at-rest key).");
        secrets.Subcommands.Add(Rotate(files, connector));
        return secrets;
    }

    private static Command Rotate(ClusterFileInput files, IHostConnector? connector)
    {
        var flags = new WorkflowFlags(files);
        var command = new Command(
            "rotate-encryption-key",
            "Rotate the key that encrypts Secrets in etcd: save a new key in the cluster state, roll it to every API server as a second provider, "
            + "make it the one that encrypts, rewrite every Secret through the API so etcd holds it under the new key, then roll the old key away and "
            + "drop it from the state. API servers restart one at a time (a failed one stops the roll). Interrupted, it resumes where it stopped when run again.");
        command.Options.Add(flags.File);
        command.Options.Add(flags.AcceptNew);
        command.Options.Add(flags.LogFile);
        command.Options.Add(flags.Verbose);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            using var logger = RunLogging.Create(error, parse.GetValue(flags.LogFile), parse.GetValue(flags.Verbose));
            if (files.Load(parse.GetValue(flags.File)!, error) is not { } config)
            {
                return ExitCodes.BadInput;
            }

            var redactor = new SecretRedactor();
            using var interrupt = new InterruptSignal(cancellationToken);
            var token = interrupt.Token;
            try
            {
                using var held = StateRunLock.Acquire(config.StateDirectory, "bootstrap secrets rotate-encryption-key", create: false, TimeProvider.System)
                    ?? throw new PkiStateException($"the cluster state {config.StateDirectory} does not exist: nothing to rotate");
                var tree = InitWorkflow.Create(new PreflightOptions());
                var selection = new WorkflowSelection { Only = ApiServerPhase };
                var needed = WorkflowRunner.HostsOf(tree, selection, config);

                // The load balancers too, when Bootstrap runs them: each restarted API server's hold then ends as soon as they
                // took it back. One that cannot be reached only makes that hold its full length.
                var loadBalancers = config.LoadBalancer.Type == LoadBalancerType.HaproxyKeepalived ? config.LoadBalancerHosts : [];
                var hostConnector = connector ?? new SshHostConnector(redactor, logger, parse.GetValue(flags.AcceptNew));
                var lease = RunLease.Start(config, hostConnector, "bootstrap secrets rotate-encryption-key", redactor, logger, token);
                await using var giveLeaseBack = lease.ConfigureAwait(false);
                var (hosts, unreachable) = await ConnectedHosts.ConnectWithOptionalAsync(hostConnector, needed, loadBalancers, config.SshConcurrency, redactor, logger, token)
                    .ConfigureAwait(false);
                await using var connected = hosts;
                await lease.HeldAsync().ConfigureAwait(false);
                foreach (var (name, why) in unreachable)
                {
                    logger.Warning("[{Phase}] {Host}: not connected ({Reason}); each restarted API server is given the whole hold to be taken back by the load balancers",
                        "connect", name, why);
                }

                using var http = new HttpClient();
                var material = await InstallMaterial.LoadAsync(config, redactor, http, token).ConfigureAwait(false);
                using var api = new ClusterApi(material.StateFile(KubeadmNames.AdminKubeconfig));

                async Task RollAsync(IReadOnlyList<Bootstrap.Core.ControlPlane.EncryptionKey> keys, CancellationToken ct)
                {
                    foreach (var key in keys)
                    {
                        redactor.Register(Convert.ToBase64String(key.Secret));
                    }

                    var context = new PhaseContext { Config = config, Hosts = hosts.ByName, Redactor = redactor, Logger = logger };
                    await using (context.ConfigureAwait(false))
                    {
                        context.Material.Produce(material.WithEncryptionKeys(keys));
                        var result = await new WorkflowRunner(new ConsoleWorkflowObserver(logger)).RunAsync(tree, selection, context, ct).ConfigureAwait(false);
                        if (!result.Succeeded)
                        {
                            throw new OperationFailedException(result.Cancelled
                                ? "cancelled"
                                : string.Join("; ", result.FirstFailure!.Hosts.Where(h => h.Error is not null).Select(h => h.Error)));
                        }
                    }
                }

                var (key, count) = await new EncryptionKeyRotation(config.StateDirectory, logger).RunAsync(RollAsync, api.RewriteSecretsAsync, token).ConfigureAwait(false);
                await parse.InvocationConfiguration.Output.WriteLineAsync($"[secrets] Secrets are encrypted with {key}; {count} Secrets rewritten; the old key is gone from the API servers and the state").ConfigureAwait(false);
                return ExitCodes.Success;
            }
            catch (ClusterRunLeaseException e)
            {
                logger.Error("[{Phase}] {Error}", "lease", e.Message);
                return ExitCodes.Failure;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                logger.Warning("[{Phase}] cancelled; run the command again to resume the rotation", "rotate");
                return ExitCodes.Cancelled;
            }
            catch (Exception e) when (e is PkiStateException or OperationFailedException or HostFanOutException or k8s.Autorest.HttpOperationException or HttpRequestException)
            {
                logger.Error("[{Phase}] {Error}", "rotate", redactor.Redact(e.Message));
                logger.Error("[{Phase}] the rotation stopped; the cluster state holds every key a host may use; fix the cause and run the command again to resume", "rotate");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    private sealed class OperationFailedException(string message) : Exception(message);
}
