using System.CommandLine;
using Bootstrap.Core.Config;
using Bootstrap.Core.Phases;
using Bootstrap.Core.Phases.Preflight;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Cli.Workflow;

/// <summary>The flags every command that runs phases shares: the cluster file, output, logging and preflight.</summary>
/// <param name="files">Where the cluster file is read from (a path, or standard input for <c>-f -</c>).</param>
internal sealed class WorkflowFlags(ClusterFileInput files)
{
    private bool _preflight;
    private bool _verify;

    public Option<string> File { get; } = new("--file", "-f") { Description = ClusterFileInput.FileDescription, Required = true };

    public Option<string> Output { get; } = CreateOutput();

    public Option<string?> LogFile { get; } = RunLogging.Option("Also write a structured log (one JSON object per line, with host and phase properties) to this file.");

    public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Log debug details on the console too." };

    public Option<string[]> IgnorePreflightErrors { get; } = new("--ignore-preflight-errors")
    {
        Description = "Preflight checks whose errors are shown as warnings instead, e.g. Port-6443,Swap; or all. Repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<bool> AcceptNew { get; } = new("--accept-new")
    {
        Description = "Trust and record (in known_hosts) the keys of hosts seen for the first time; a changed key is still refused.",
    };

    public Option<string[]> SkipPhases { get; } = new("--skip-phases")
    {
        Description = "Phases not to run (and the phases under them), e.g. preflight,load-balancer. Repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<string[]> Host { get; } = new("--host")
    {
        Description = "Run only on these hosts (names in the cluster file); comma-separated or repeated.",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<bool> Verify { get; } = new("--verify")
    {
        Description = "Hash every file compared on the hosts in full, ignoring their manifests of installed files (/var/lib/bootstrap/installed-files), "
            + "which a completed run then records afresh. By default a file whose size, times, inode and device match its entry keeps the sha256 "
            + "recorded there: any write moves a file's change time, which no user can set back.",
    };

    /// <summary>
    /// Adds the shared flags; <paramref name="skipPhases"/> also adds --skip-phases (for commands that run a whole tree),
    /// <paramref name="hosts"/> adds --host (for commands that run on chosen hosts), and <paramref name="preflight"/>
    /// --ignore-preflight-errors (for commands whose phases include preflight), and <paramref name="verify"/> --verify (for commands
    /// whose phases compare files on the hosts).
    /// </summary>
    public void AddTo(Command command, bool skipPhases = false, bool hosts = false, bool preflight = true, bool verify = false)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (skipPhases)
        {
            command.Options.Add(SkipPhases);
        }

        if (hosts)
        {
            command.Options.Add(Host);
        }

        command.Options.Add(AcceptNew);
        command.Options.Add(File);
        if (preflight)
        {
            command.Options.Add(IgnorePreflightErrors);
        }

        _preflight = preflight;
        if (verify)
        {
            command.Options.Add(Verify);
        }

        _verify = verify;
        command.Options.Add(Output);
        command.Options.Add(LogFile);
        command.Options.Add(Verbose);
    }

    /// <summary>Reads the parsed flags; an invalid --ignore-preflight-errors throws <see cref="ArgumentException"/> (bad input).</summary>
    public WorkflowInvocation Read(ParseResult parse, WorkflowSelection selection, bool dryRun = false, WorkflowCommand? workflow = null, bool locksState = true)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(selection);
        var skip = List(parse, SkipPhases);
        var hosts = Hosts(parse);

        return new WorkflowInvocation
        {
            File = parse.GetValue(File)!,
            Selection = selection with { Skip = [.. selection.Skip, .. skip], Hosts = [.. selection.Hosts, .. hosts.Distinct(StringComparer.Ordinal)] },
            Workflow = workflow?.Tree ?? InitWorkflow.Create,
            HostChoices = workflow?.HostChoices,
            Check = workflow?.Check,
            DryRun = dryRun,
            LocksState = locksState,
            AcceptNewHostKeys = parse.GetValue(AcceptNew),
            Verify = _verify && parse.GetValue(Verify),
            Options = new PreflightOptions { IgnorePreflightErrors = IgnoredPreflightErrors.Parse((_preflight ? parse.GetValue(IgnorePreflightErrors) : null) ?? []) },
            CommandLine = "bootstrap " + string.Join(' ', parse.Tokens.Select(t => t.Value)),
            Json = parse.GetValue(Output) == "json",
            LogFile = parse.GetValue(LogFile),
            Verbose = parse.GetValue(Verbose),
        };
    }

    /// <summary>The action of a command that runs <paramref name="selection"/> of <paramref name="workflow"/> (<c>init</c>'s tree when null).</summary>
    public void SetAction(Command command, WorkflowSelection selection, IHostConnector? connector, bool dryRun = false, WorkflowCommand? workflow = null, bool locksState = true) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            WorkflowInvocation invocation;
            try
            {
                invocation = Read(parse, selection, dryRun, workflow, locksState);
            }
            catch (ArgumentException e)
            {
                await error.WriteLineAsync(e.Message).ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            // An exception the runner lets out is BootstrapCli.GuardedAsync's to say, as for every command: one line, exit 1, or
            // "interrupted", exit 130, for a cancellation.
            return await new WorkflowCommandRunner(connector, files).RunAsync(invocation, output, error, cancellationToken).ConfigureAwait(false);
        });

    /// <summary>
    /// The --host names. An empty --host (<c>--host "$NODE"</c> with NODE unset) is a mistake, never "no choice": that would be
    /// every host. So is an empty name among others (<c>--host "$A,$B"</c> with B unset): the run would leave out a host it was
    /// meant for, without a word.
    /// </summary>
    private IReadOnlyList<string> Hosts(ParseResult parse)
    {
        var given = parse.GetResult(Host) is null ? [] : parse.GetValue(Host) ?? [];
        var names = given.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)).ToList();
        var shown = InputQuote.Quote(string.Join(",", given));
        if (given.Length > 0 && names.All(n => n.Length == 0))
        {
            throw new ArgumentException($"--host {shown} names no host; give the names of hosts of the cluster file, comma-separated or repeated");
        }

        if (names.Any(n => n.Length == 0))
        {
            throw new ArgumentException(
                $"--host {shown} has an empty host name among its {names.Count(n => n.Length > 0)} names (a variable left unset?); give only names of hosts of the cluster file, comma-separated or repeated");
        }

        return names;
    }

    private static IEnumerable<string> List(ParseResult parse, Option<string[]> option) =>
        (parse.GetResult(option) is null ? [] : parse.GetValue(option) ?? [])
            .SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static Option<string> CreateOutput()
    {
        var output = new Option<string>("--output", "-o")
        {
            Description = "text (a per-host report), or json: one JSON event per line (phase-start, host-end, phase-end, run-end).",
            DefaultValueFactory = _ => "text",
        };
        output.AcceptOnlyFromAmong("text", "json");
        return output;
    }
}
