using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using Bootstrap.Core.Workflow;

namespace Bootstrap.Cli;

/// <summary>Builds the command tree. Commands parse, call Core and print; nothing else.</summary>
internal static class BootstrapCli
{
    /// <param name="connector">How hosts are reached; SSH when null (tests pass fakes).</param>
    /// <param name="input">What <c>-f -</c> reads; the process's standard input when null.</param>
    public static RootCommand Build(IHostConnector? connector = null, TextReader? input = null)
    {
        var files = input is null ? ClusterFileInput.FromConsole() : new ClusterFileInput(input);
        var root = new RootCommand("Bootstrap: turns plain Linux machines into a highly available Kubernetes cluster over SSH.");
        var version = new Command("version", "Print the version of bootstrap.");
        version.SetAction(parse =>
        {
            parse.InvocationConfiguration.Output.WriteLine(Version);
            return 0;
        });
        root.Subcommands.Add(version);
        root.Subcommands.Add(Commands.ValidateCommand.Create(files));
        root.Subcommands.Add(Commands.CertsCommand.Create(TimeProvider.System, files));
        root.Subcommands.Add(Commands.PreflightCommand.Create(files, connector));
        root.Subcommands.Add(Commands.PlanCommand.Create(files, connector));
        root.Subcommands.Add(Commands.InitCommand.Create(files, connector));
        root.Subcommands.Add(Commands.JoinCommand.Create(files, connector));
        root.Subcommands.Add(Commands.TokenCommand.Create(TimeProvider.System, files));
        root.Subcommands.Add(Commands.StateCommand.Create(files, connector));
        root.Subcommands.Add(Commands.SecretsCommand.Create(files, connector));
        root.Subcommands.Add(Commands.ResetCommand.Create(files, connector));
        root.Subcommands.Add(Commands.UpgradeCommand.Create(files, connector));
        root.Subcommands.Add(Commands.EtcdCommand.Create(files, connector, terminal: input is null && !Console.IsInputRedirected, answers: input ?? Console.In));
        return root;
    }

    /// <summary>
    /// Parses and runs. A command line that does not parse (unknown command or flag, missing -f, no
    /// subcommand) gets one line saying why, a "did you mean" when one is close, and a pointer to --help;
    /// exit 2, not System.CommandLine's 1. Ctrl-C is handled by the commands that run phases, so they can
    /// report what they left in which state. An exception no command turned into a message (a bug of ours) is one line, never
    /// a stack trace: "internal error (…); please report it", exit 1.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, InvocationConfiguration? configuration = null, IHostConnector? connector = null, TextReader? input = null)
    {
        configuration ??= new InvocationConfiguration { ProcessTerminationTimeout = null };
        configuration.EnableDefaultExceptionHandler = false;
        var parse = Build(connector, input).Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            UsageErrors.Write(parse, configuration.Error);
            return ExitCodes.BadInput;
        }

        return await GuardedAsync(() => parse.InvokeAsync(configuration), configuration.Error).ConfigureAwait(false);
    }

    /// <summary>Runs a command's action; an exception it let out is one line on <paramref name="error"/>, never a stack trace.</summary>
    internal static async Task<int> GuardedAsync(Func<Task<int>> action, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("interrupted").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
#pragma warning disable CA1031 // The user sees one line, never a stack trace; a crash here is our bug.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await error.WriteLineAsync($"internal error ({e.GetType().Name}: {e.Message}); please report it").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    private static string Version =>
        typeof(BootstrapCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
}
