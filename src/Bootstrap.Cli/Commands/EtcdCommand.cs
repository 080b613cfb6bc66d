using System.CommandLine;
using Bootstrap.Cli.Workflow;
using Bootstrap.Core.Config;
using Bootstrap.Core.Etcd;
using Bootstrap.Core.Phases;
using Bootstrap.Core.Remote;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Cli.Commands;

/// <summary>
/// <c>bootstrap etcd status|replace-member|snapshot</c>: etcd on its own, through etcdctl on the members over SSH
/// (docs/etcd.md). Exit codes: 0 done (status: every member healthy), 1 failed or unhealthy, 2 bad input (nothing was
/// changed), 130 cancelled.
/// </summary>
internal static class EtcdCommand
{
    public static Command Create(ClusterFileInput files, IHostConnector? connector = null, bool terminal = false, TextReader? answers = null)
    {
        var etcd = new Command("etcd", "etcd on its own: its members' health, replacing a member, snapshots to the workstation and restoring one (docs/etcd.md).");
        etcd.Subcommands.Add(Status(files, connector));
        etcd.Subcommands.Add(ReplaceMember(files, connector));
        etcd.Subcommands.Add(EtcdSnapshotCommand.Create(files, connector, terminal, answers));
        return etcd;
    }

    /// <summary>The flags of the etcd commands that are not workflows: the cluster file, host keys, logging.</summary>
    internal sealed class Flags
    {
        public Option<string> File { get; } = new("--file", "-f") { Description = ClusterFileInput.FileDescription, Required = true };

        public Option<bool> AcceptNew { get; } = new("--accept-new")
        {
            Description = "Trust and record (in known_hosts) the keys of hosts seen for the first time; a changed key is still refused.",
        };

        public Option<string?> LogFile { get; } = Workflow.RunLogging.Option("Also write a structured log (one JSON object per line) to this file.");

        public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Log debug details on the console too." };

        public Option<string> Output { get; } = CreateOutput();

        public void AddTo(Command command, bool output = false)
        {
            command.Options.Add(File);
            command.Options.Add(AcceptNew);
            if (output)
            {
                command.Options.Add(Output);
            }

            command.Options.Add(LogFile);
            command.Options.Add(Verbose);
        }

        public IHostConnector Connector(IHostConnector? given, SecretRedactor redactor, Serilog.ILogger logger, ParseResult parse) =>
            given ?? new SshHostConnector(redactor, logger, parse.GetValue(AcceptNew));

        private static Option<string> CreateOutput()
        {
            var output = new Option<string>("--output", "-o") { Description = "text (a table) or json (one document).", DefaultValueFactory = _ => "text" };
            output.AcceptOnlyFromAmong("text", "json");
            return output;
        }
    }

    private static Command Status(ClusterFileInput files, IHostConnector? connector)
    {
        var flags = new Flags();
        var command = new Command(
            "status",
            "Show etcd's members (id, name, host, peer URLs, learner), each one's health and status (leader, raft term and index, database size, version) and, "
            + "with spec.etcd.backup, each host's backup timer and snapshots. Read-only, through etcdctl on a healthy member over SSH. "
            + "Exit 0 when every member is healthy, 1 when one is not (or cannot be reached, or the members differ from the file), 2 for bad input.");
        flags.AddTo(command, output: true);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (files.Load(parse.GetValue(flags.File)!, error) is not { } config)
            {
                return ExitCodes.BadInput;
            }

            using var logger = RunLogging.Create(error, parse.GetValue(flags.LogFile), parse.GetValue(flags.Verbose));
            var redactor = new SecretRedactor();
            using var interrupt = new InterruptSignal(cancellationToken);
            var (hosts, failed) = await HostConnections.ConnectEachAsync(flags.Connector(connector, redactor, logger, parse), config.EtcdMembers, redactor, logger, interrupt.Token)
                .ConfigureAwait(false);
            try
            {
                var report = await EtcdStatusReader.ReadAsync(config, hosts, failed, redactor, interrupt.Token).ConfigureAwait(false);
                await output.WriteAsync(parse.GetValue(flags.Output) == "json" ? EtcdOutput.StatusJson(report) : EtcdOutput.StatusText(report)).ConfigureAwait(false);
                return report.Healthy ? ExitCodes.Success : ExitCodes.Failure;
            }
            catch (OperationCanceledException) when (interrupt.Token.IsCancellationRequested)
            {
                return ExitCodes.Cancelled;
            }
            catch (Exception e) when (e is EtcdException or RemoteCommandException or IOException or TimeoutException)
            {
                logger.Error("[{Phase}] {Error}", "status", redactor.Redact(e.Message));
                return ExitCodes.Failure;
            }
            finally
            {
                await HostConnections.CloseAsync(hosts.Values).ConfigureAwait(false);
            }
        });
        return command;
    }

    private static Command ReplaceMember(ClusterFileInput files, IHostConnector? connector)
    {
        var member = new Argument<string>("NAME") { Description = "The etcd member to replace: a host of the cluster file that runs one." };
        var command = new Command(
            "replace-member",
            "Replace one etcd member whatever its state (a corrupted or suspect data directory): stop its etcd, move its data directory aside "
            + "(/var/lib/etcd.before-join-TIME, never deleted), remove the member, add the host again as a learner, start it empty (it copies the "
            + "cluster's data from the others) and promote it once it caught up. Refused, before any change, unless every other member is healthy "
            + "and the cluster keeps a quorum without it. `bootstrap init` does the same by itself for a member whose data directory is gone.")
        {
            member,
        };
        var flags = new WorkflowFlags(files);
        flags.AddTo(command, preflight: false);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(member)!;
            var workflow = new WorkflowCommand(
                _ => EtcdWorkflow.ReplaceMember(name),
                config => config.EtcdMembers,
                config => config.EtcdMembers.Any(h => h.Name == name)
                    ? []
                    : [$"{InputQuote.Quote(name)} is not an etcd member of {config.Name}; its etcd members are: {string.Join(", ", config.EtcdMembers.Select(h => h.Name))}"]);
            var invocation = flags.Read(parse, WorkflowSelection.All, workflow: workflow);
            return await new WorkflowCommandRunner(connector, files).RunAsync(invocation, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken)
                .ConfigureAwait(false);
        });
        return command;
    }
}
