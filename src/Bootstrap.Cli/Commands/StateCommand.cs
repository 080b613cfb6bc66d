using System.CommandLine;
using Bootstrap.Cli.Workflow;
using Bootstrap.Core.Config;
using Bootstrap.Core.Identity;
using Bootstrap.Core.Install;
using Bootstrap.Core.Pki;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Cli.Commands;

/// <summary>
/// <c>bootstrap state pull -f cluster.yaml --from cp1</c>: imports a running cluster's identity and credentials from
/// its hosts into this workstation's cluster state (see <see cref="StatePull"/>), so that the next <c>init</c> from
/// here changes nothing. Exit codes: 0 imported, 1 refused or failed (nothing written), 2 bad input.
/// </summary>
internal static class StateCommand
{
    public static Command Create(ClusterFileInput files, IHostConnector? connector = null)
    {
        var state = new Command("state", "The cluster state on this workstation (PKI, secrets): import it from a running cluster.");
        state.Subcommands.Add(Pull(files, connector));
        return state;
    }

    private static Command Pull(ClusterFileInput files, IHostConnector? connector)
    {
        var file = new Option<string>("--file", "-f") { Description = ClusterFileInput.FileDescription, Required = true };
        var from = new Option<string>("--from") { Description = "The control-plane host to take the CAs, keys, shared certificates, kubeconfigs and encryption keys from.", Required = true };
        var acceptNew = new Option<bool>("--accept-new") { Description = "Trust and record the keys of hosts seen for the first time; a changed key is still refused." };
        var command = new Command(
            "pull",
            "Import a running cluster's identity from its hosts into the cluster state (spec.stateDirectory): the CAs and their keys, the service-account "
            + "keys, the shared certificates and kubeconfigs and the encryption keys from --from, each etcd member's own certificates from the member, the "
            + "VRRP password from the load balancers. Everything is verified (keys against certificates, leaves against their CAs, the same CAs on every "
            + "control plane) before anything is written; nothing secret is printed. Into an empty state it writes everything; into an existing one only "
            + "what it lacks, and it refuses when anything differs. Afterwards `bootstrap init` from this workstation changes nothing. Use it on a second "
            + "workstation, after losing the state, or when `init` refuses because a host holds an identity the state does not.")
        {
            file, from, acceptNew,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (files.Load(parse.GetValue(file)!, error) is not { } config)
            {
                return ExitCodes.BadInput;
            }

            var source = parse.GetValue(from)!;
            if (config.ControlPlaneHosts.All(h => h.Name != source))
            {
                await error.WriteLineAsync($"--from {InputQuote.Quote(source)}: not a control-plane host of {config.Name}; name one of: {string.Join(", ", config.ControlPlaneHosts.Select(h => h.Name))}").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            using var logger = RunLogging.Create(error, logFile: null, verbose: false);
            var redactor = new SecretRedactor();
            try
            {
                using var held = StateRunLock.Acquire(config.StateDirectory, $"bootstrap state pull --from {source}", create: true, TimeProvider.System);
                var wanted = config.Hosts.Where(h => h.Name == source || h.HasRole(HostRole.ControlPlane) || config.EtcdMembers.Contains(h)
                    || (config.LoadBalancer.Type == LoadBalancerType.HaproxyKeepalived && h.HasRole(HostRole.LoadBalancer))).ToList();
                var (hosts, _) = await HostConnections.ConnectEachAsync(connector ?? new SshHostConnector(redactor, logger, parse.GetValue(acceptNew)), wanted, redactor, logger, cancellationToken)
                    .ConfigureAwait(false);
                try
                {
                    if (!hosts.ContainsKey(source))
                    {
                        await error.WriteLineAsync($"cannot reach {source}; nothing was written").ConfigureAwait(false);
                        return ExitCodes.Failure;
                    }

                    var result = await StatePull.PullAsync(config, source, hosts, redactor, cancellationToken).ConfigureAwait(false);
                    foreach (var note in result.Notes)
                    {
                        logger.Warning("[{Phase}] {Note}", "state pull", note);
                    }

                    await output.WriteLineAsync($"[state] imported {result.Written.Count} file(s) into {config.StateDirectory}: {string.Join(", ", result.Written)}").ConfigureAwait(false);
                    var plan = await StatePlan.CreateAsync(config, TimeProvider.System, cancellationToken).ConfigureAwait(false);
                    var pending = plan.Pki.Items.Where(i => i.Action != PkiChangeAction.Unchanged).Select(i => $"{i.Name} ({i.Action.ToString().ToLowerInvariant()}: {i.Reason})").ToList();
                    await output.WriteLineAsync(pending.Count == 0
                        ? "[state] the state matches the cluster file: `bootstrap plan` shows what init would still change on the hosts"
                        : $"[state] init would still re-issue in the state: {string.Join(", ", pending)}").ConfigureAwait(false);
                    return ExitCodes.Success;
                }
                finally
                {
                    await HostConnections.CloseAsync(hosts.Values).ConfigureAwait(false);
                }
            }
            catch (PkiStateException e)
            {
                await error.WriteLineAsync(redactor.Redact(e.Message)).ConfigureAwait(false);
                return ExitCodes.Failure;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or RemoteCommandException)
            {
                await error.WriteLineAsync(redactor.Redact(e.Message) + "; nothing was written").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
